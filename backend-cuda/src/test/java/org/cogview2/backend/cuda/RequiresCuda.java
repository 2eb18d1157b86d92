package org.cogview2.backend.cuda;

import org.cogview2.spi.Availability;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class only where the cuda backend is available; elsewhere JUnit reports the class as skipped with the
 * backend's reason (for example {@code cuda backend unavailable: no NVIDIA driver found (libcuda.so.1 could not be
 * loaded)}). A class-level condition is used rather than an assumption in {@code @BeforeAll} so that no lifecycle
 * method of the class (such as the conformance kit's report writer) runs without a GPU.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Condition.class)
@interface RequiresCuda {

    /** The condition behind {@link RequiresCuda}. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            Availability a = new CudaBackendProvider().availability();
            return a.available()
                    ? ConditionEvaluationResult.enabled("cuda backend available")
                    : ConditionEvaluationResult.disabled("cuda backend unavailable: " + a.reason());
        }
    }
}
