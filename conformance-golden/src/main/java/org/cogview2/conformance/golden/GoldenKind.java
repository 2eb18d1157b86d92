package org.cogview2.conformance.golden;

import org.cogview2.conformance.ComparisonResult;

import java.util.List;

/**
 * Runs the golden cases of one {@code kind} (as {@code case.json} names it) on a backend and compares every output
 * with the official values.
 */
public interface GoldenKind {

    /** The {@code kind} this handles, e.g. {@code coglm_forward}. */
    String kind();

    /** One comparison per checked output (all must pass). */
    List<ComparisonResult> run(GoldenCase golden, GoldenContext context) throws Exception;
}
