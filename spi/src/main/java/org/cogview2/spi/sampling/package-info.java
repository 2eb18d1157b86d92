/**
 * The executable definition of the sampling kernels ({@link org.cogview2.spi.Kernels#sampleClusters},
 * {@link org.cogview2.spi.Kernels#sampleTopK}): the counter-based {@link Philox} draws, the inverse-CDF {@link Picker},
 * CogView2's {@link ClusterSampler} and {@link TopKSampler}. A backend's kernel must return, row by row, exactly the
 * ids these host functions return for the same logits, whatever its thread count or batching; the models use the
 * same functions when they sample on the host (recorded or injected draws).
 */
package org.cogview2.spi.sampling;
