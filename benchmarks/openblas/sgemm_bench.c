/* Times OpenBLAS sgemm the ways NativeCore's Linear layer multiplies, row-major, C[m,n] = op(A)[m,k] * op(B)[k,n]:
   Linear (default) C = A * B^T; InputGrad C = A * B; WeightGrad C += A^T * B (A stored [k,m]); the forms of
   `nativecore bench gemm --form`. Not part of the product: it only gives the GEMM benchmark a yardstick on the same machine.
   Usage: sgemm_bench M K N [FORM]  -> one JSON line {"ms":..., "gflops":...} (median of repeated runs after a warm-up). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: %s M K N [Linear|InputGrad|WeightGrad]\n", argv[0]); return 2; }
    int m = atoi(argv[1]), k = atoi(argv[2]), n = atoi(argv[3]);
    const char *form = argc == 5 ? argv[4] : "Linear";
    int weight = strcmp(form, "WeightGrad") == 0, input = strcmp(form, "InputGrad") == 0;
    if (!weight && !input && strcmp(form, "Linear") != 0) { fprintf(stderr, "unknown form %s\n", form); return 2; }
    enum CBLAS_TRANSPOSE ta = weight ? CblasTrans : CblasNoTrans, tb = weight || input ? CblasNoTrans : CblasTrans;
    int lda = weight ? m : k, ldb = weight || input ? n : k;
    float beta = weight ? 1.0f : 0.0f;
    float *a = malloc(sizeof(float) * m * k), *b = malloc(sizeof(float) * k * n), *c = malloc(sizeof(float) * m * n);
    for (long i = 0; i < (long)m * k; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < (long)k * n; i++) b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    for (int i = 0; i < 3; i++)
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
    double times[1000];
    int runs = 0;
    double start = now_ms();
    while (runs < 1000 && (runs < 5 || now_ms() - start < 1000.0)) {
        double t0 = now_ms();
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
        times[runs++] = now_ms() - t0;
    }
    qsort(times, runs, sizeof(double), cmp);
    double ms = times[runs / 2];
    printf("{\"ms\": %.4f, \"gflops\": %.2f}\n", ms, 2.0 * m * n * k / (ms * 1e6));
    free(a); free(b); free(c);
    return 0;
}
