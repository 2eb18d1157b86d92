package org.cogview2.backend.template;

import org.cogview2.spi.DType;
import org.cogview2.spi.Shape;
import org.cogview2.spi.support.AbstractScope;

import java.lang.foreign.MemorySegment;

/**
 * A scope of the template backend: how memory is allocated, filled and read back. Every check (nulls, sizes,
 * dtypes, ownership, closed scopes), the views and the release of everything on {@code close()} are
 * {@link AbstractScope}'s; these methods run only after the checks passed.
 */
final class TemplateScope extends AbstractScope<TemplateTensor> {

    private final TemplateBackend backend;

    TemplateScope(TemplateBackend backend) {
        super(backend);
        this.backend = backend;
    }

    @Override
    protected TemplateTensor allocateUnchecked(DType dtype, Shape shape) {
        return register(new TemplateTensor(backend, shape, dtype));
    }

    /** New heap memory is zeroed already (a device allocation would need a memset here). */
    @Override
    protected TemplateTensor zerosUnchecked(DType dtype, Shape shape) {
        return allocateUnchecked(dtype, shape);
    }

    /**
     * A copy of the bytes, as they are (the layout is the same). A device backend copies host to device here; a
     * memory-mapped checkpoint segment could also be kept and used in place while it stays alive.
     */
    @Override
    protected TemplateTensor uploadUnchecked(MemorySegment littleEndianElements, DType dtype, Shape shape) {
        TemplateTensor t = allocateUnchecked(dtype, shape);
        MemorySegment.copy(littleEndianElements, 0, t.segment(), 0, littleEndianElements.byteSize());
        return t;
    }

    @Override
    protected TemplateTensor fromFloatsUnchecked(float[] values, Shape shape) {
        TemplateTensor t = allocateUnchecked(DType.F32, shape);
        MemorySegment.copy(values, 0, t.segment(), TemplateTensor.F32, 0, values.length);
        return t;
    }

    @Override
    protected TemplateTensor fromIntsUnchecked(int[] values, Shape shape) {
        TemplateTensor t = allocateUnchecked(DType.I32, shape);
        MemorySegment.copy(values, 0, t.segment(), TemplateTensor.I32, 0, values.length);
        return t;
    }

    /** F16 and BF16 are widened exactly. */
    @Override
    protected float[] readFloatsUnchecked(TemplateTensor t) {
        MemorySegment s = t.segment();
        float[] out = new float[(int) t.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = TemplateTensor.getFloat(s, t.dtype(), i);
        }
        return out;
    }

    /** I64 is narrowed to int; a value outside the int range is refused rather than wrapped. */
    @Override
    protected int[] readIntsUnchecked(TemplateTensor t) {
        MemorySegment s = t.segment();
        int[] out = new int[(int) t.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.dtype() == DType.I64 ? Math.toIntExact(s.getAtIndex(TemplateTensor.I64, i))
                    : s.getAtIndex(TemplateTensor.I32, i);
        }
        return out;
    }

    @Override
    protected TemplateTensor view(TemplateTensor base, Shape shape, long extraOffset) {
        return new TemplateTensor(base, shape, extraOffset);
    }

    /** One Java array holds the result of a read-back. */
    @Override
    protected long maxElements() {
        return Integer.MAX_VALUE - 8;
    }
}
