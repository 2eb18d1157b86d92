package org.cogview2.conformance;

/** Thrown by a case that cannot run here (for example golden data not found); the case is reported as skipped. */
public final class CaseSkippedException extends RuntimeException {

    public CaseSkippedException(String reason) {
        super(reason, null, false, false);
    }
}
