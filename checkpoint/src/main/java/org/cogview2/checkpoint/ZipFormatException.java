package org.cogview2.checkpoint;

import java.nio.file.Path;

/**
 * The zip container of a PyTorch checkpoint is malformed or uses a feature a {@code torch.save} file never
 * uses: wrong magic, truncated file, records or offsets out of range, overlapping or duplicate entries,
 * compressed or encrypted entries, multi-disk archives, a bad checksum of a metadata record.
 */
public class ZipFormatException extends CheckpointFormatException {

    /** @see CheckpointFormatException#CheckpointFormatException(Path, String, String) */
    public ZipFormatException(Path file, String entry, String problem) {
        super(file, entry, problem);
    }
}
