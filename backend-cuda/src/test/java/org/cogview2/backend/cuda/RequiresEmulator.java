package org.cogview2.backend.cuda;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Runs a test class only where the build made the CPU emulation of the kernels (it needs a C++ compiler). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresEmulator.Condition.class)
@interface RequiresEmulator {

    /** The condition behind {@link RequiresEmulator}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return EmulatedDevice.library().isPresent()
                    ? ConditionEvaluationResult.enabled("CUDA emulator built")
                    : ConditionEvaluationResult.disabled("the CPU emulation of the CUDA kernels was not built"
                    + " (no C++ compiler at build time)");
        }
    }
}
