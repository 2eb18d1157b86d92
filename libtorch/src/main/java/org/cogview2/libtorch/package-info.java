/**
 * The stages of {@code cogview2 bench} written with libtorch through DJL, from the same random state dicts as the
 * cogview2 models, so that a run can print ratios against PyTorch on the same CPU. Every class here is checked against
 * the cogview2 model it mirrors by a test that compares their outputs on a small model.
 */
package org.cogview2.libtorch;
