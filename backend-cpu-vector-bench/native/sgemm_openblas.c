/*
 * OpenBLAS baseline for the GEMM benchmarks: times cblas_sgemm on y[M,N] = x[M,K] . w[N,K]^T (row-major, w
 * transposed, as a linear layer) for about SECONDS seconds after one warm-up call and prints "GFLOPS <value>".
 * Not part of the build: compile and run it by hand (see README.md). Threads: OPENBLAS_NUM_THREADS.
 *
 *   usage: sgemm_openblas M N K [SECONDS]
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s M N K [SECONDS]\n", argv[0]);
        return 2;
    }
    long m = atol(argv[1]), n = atol(argv[2]), k = atol(argv[3]);
    double seconds = argc > 4 ? atof(argv[4]) : 3.0;
    float *x = malloc(sizeof(float) * m * k), *w = malloc(sizeof(float) * n * k), *y = malloc(sizeof(float) * m * n);
    if (!x || !w || !y) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    srand(7);
    for (long i = 0; i < m * k; i++) x[i] = (float) rand() / RAND_MAX - 0.5f;
    for (long i = 0; i < n * k; i++) w[i] = ((float) rand() / RAND_MAX - 0.5f) * 0.03f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k, 0.0f, y, n);
    long calls = 0;
    double start = now(), elapsed;
    do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k, 0.0f, y, n);
        calls++;
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("GFLOPS %.3f\n", 2.0 * m * n * k * calls / elapsed / 1e9);
    free(x);
    free(w);
    free(y);
    return 0;
}
