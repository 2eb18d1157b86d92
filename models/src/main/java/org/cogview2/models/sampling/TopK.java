package org.cogview2.models.sampling;

/** Indices of the largest values, descending; equal values keep the lower index first. */
final class TopK {

    private TopK() {
    }

    static int[] indices(float[] values, int n, int k) {
        int[] top = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = values[i];
            if (size == k && !(v > values[top[k - 1]])) {
                continue;
            }
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && v > values[top[pos - 1]]) {
                top[pos] = top[pos - 1];
                pos--;
            }
            top[pos] = i;
        }
        return top;
    }
}
