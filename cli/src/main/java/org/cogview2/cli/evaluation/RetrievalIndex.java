package org.cogview2.cli.evaluation;

import org.cogview2.api.RgbImage;
import org.cogview2.dataset.ManifestEntry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Every data-set picture's {@link RetrievalDescriptor}, searched by brute force (a few thousand pictures). */
public final class RetrievalIndex {

    /** One data-set picture and its distance to a query. */
    public record Neighbour(ManifestEntry entry, double distance) {
    }

    private final List<ManifestEntry> entries;
    private final float[][] descriptors;

    private RetrievalIndex(List<ManifestEntry> entries, float[][] descriptors) {
        this.entries = entries;
        this.descriptors = descriptors;
    }

    /** Descriptors of the 160 pictures of {@code entries}, read with {@code reader} from the data-set folder. */
    public static RetrievalIndex of(Path dataset, List<ManifestEntry> entries, Function<Path, RgbImage> reader) {
        float[][] d = new float[entries.size()][];
        IntStream.range(0, entries.size()).parallel()
                .forEach(i -> d[i] = RetrievalDescriptor.of(reader.apply(dataset.resolve(entries.get(i).image160()))));
        return new RetrievalIndex(List.copyOf(entries), d);
    }

    /** The {@code k} pictures nearest to {@code picture}, nearest first (ties: data-set order). */
    public List<Neighbour> nearest(RgbImage picture, int k) {
        float[] q = RetrievalDescriptor.of(picture);
        double[] distance = new double[entries.size()];
        for (int i = 0; i < distance.length; i++) {
            distance[i] = RetrievalDescriptor.distance(q, descriptors[i]);
        }
        Integer[] order = IntStream.range(0, distance.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> distance[i]));
        List<Neighbour> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(new Neighbour(entries.get(order[i]), distance[order[i]]));
        }
        return out;
    }

    /** Rank (0 = nearest) of the first picture of {@code emoji} among the neighbours, or -1 when not among them. */
    public static int rankOf(List<Neighbour> neighbours, String emoji) {
        for (int i = 0; i < neighbours.size(); i++) {
            if (neighbours.get(i).entry().emoji().equals(emoji)) {
                return i;
            }
        }
        return -1;
    }

    public int size() {
        return entries.size();
    }
}
