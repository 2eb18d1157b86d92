package org.cogview2.backend.cuda;

import jcuda.driver.CUresult;
import org.cogview2.spi.BackendException;

/** Result-code checks for driver calls (JCuda's global exception switch is left alone). */
final class Cuda {

    private Cuda() {
    }

    /** Throws a {@link BackendException} naming {@code what} and the driver's error unless {@code result} is success. */
    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new BackendException("cuda: " + what + " failed: " + describe(result));
        }
    }

    /** The symbolic name of a driver result, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    static String describe(int result) {
        try {
            return CUresult.stringFor(result);
        } catch (RuntimeException e) {
            return "CUresult " + result;
        }
    }
}
