// example.c of an export: links against MODEL.so (no dlopen), runs one batch on a raw float32
// input file (or a deterministic generated input), writes the raw float32 output, then times
// repeated runs and prints the median. The tests build it and compare its output byte for byte
// with the workbench's session, so it must stay a plain, faithful caller of the ABI.

export const EXAMPLE_C = String.raw`/* example.c: runs the exported model through the C ABI in qwb_model.h.
 *
 *   ./example [--batch N] [--threads T] [--input IN.bin] [--output OUT.bin] [--iters K] [--warmup W]
 *
 * IN.bin: raw little-endian float32, batch * (input dims without dim 0) values, row-major.
 * Without --input a deterministic input in [-1, 1) is generated. OUT.bin receives the raw float32
 * output. Prints the output dims, the first values and the median latency of K timed runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qwb_model.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int64_t per_sample(const int64_t *dims, int rank) {
  int64_t n = 1;
  for (int i = 1; i < rank; i++) n *= dims[i];
  return n;
}

int main(int argc, char **argv) {
  int64_t batch = 1;
  int threads = 0, iters = 50, warmup = 5;
  const char *in_path = NULL, *out_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (i + 1 < argc && !strcmp(argv[i], "--batch")) batch = atoll(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--threads")) threads = atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--input")) in_path = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--output")) out_path = argv[++i];
    else if (i + 1 < argc && !strcmp(argv[i], "--iters")) iters = atoi(argv[++i]);
    else if (i + 1 < argc && !strcmp(argv[i], "--warmup")) warmup = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--batch N] [--threads T] [--input IN.bin] [--output OUT.bin] [--iters K] [--warmup W]\n", argv[0]);
      return 2;
    }
  }

  qwb_model *model = NULL;
  if (qwb_create(&model, threads) != 0) {
    fprintf(stderr, "%s\n", qwb_error(NULL));
    return 1;
  }
  int64_t in_dims[8], out_dims[8];
  int in_rank = 0, out_rank = 0;
  if (qwb_input_dims(model, in_dims, &in_rank) != 0 || qwb_output_dims(model, out_dims, &out_rank) != 0) {
    fprintf(stderr, "%s\n", qwb_error(model));
    return 1;
  }
  size_t n_in = (size_t)(batch * per_sample(in_dims, in_rank));
  size_t n_out = (size_t)(batch * per_sample(out_dims, out_rank));
  float *input = malloc(n_in * sizeof(float) + 1);
  float *output = malloc(n_out * sizeof(float) + 1);
  if (!input || !output) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  if (in_path) {
    FILE *f = fopen(in_path, "rb");
    if (!f) {
      perror(in_path);
      return 1;
    }
    size_t got = fread(input, sizeof(float), n_in, f);
    fclose(f);
    if (got != n_in) {
      fprintf(stderr, "%s: expected %zu float32 values for batch %lld, read %zu\n", in_path, n_in, (long long)batch, got);
      return 1;
    }
  } else {
    uint32_t s = 12345u;
    for (size_t i = 0; i < n_in; i++) {
      s = s * 1664525u + 1013904223u;
      input[i] = (float)((s >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
    }
  }

  if (qwb_run(model, input, batch, output) != 0) {
    fprintf(stderr, "%s\n", qwb_error(model));
    return 1;
  }
  if (out_path) {
    FILE *f = fopen(out_path, "wb");
    if (!f || fwrite(output, sizeof(float), n_out, f) != n_out) {
      perror(out_path);
      return 1;
    }
    fclose(f);
  }
  printf("output [%lld", (long long)batch);
  for (int i = 1; i < out_rank; i++) printf(", %lld", (long long)out_dims[i]);
  printf("]:");
  for (size_t i = 0; i < n_out && i < 5; i++) printf(" %g", output[i]);
  printf("\n");

  if (iters > 0) {
    double *ms = malloc(sizeof(double) * (size_t)iters);
    for (int i = 0; i < warmup; i++) qwb_run(model, input, batch, output);
    for (int i = 0; i < iters; i++) {
      double t0 = now_ms();
      if (qwb_run(model, input, batch, output) != 0) {
        fprintf(stderr, "%s\n", qwb_error(model));
        return 1;
      }
      ms[i] = now_ms() - t0;
    }
    qsort(ms, (size_t)iters, sizeof(double), cmp_double);
    printf("median_ms %.4f (batch %lld, %d runs)\n", ms[iters / 2], (long long)batch, iters);
    printf("runtime %s\n", qwb_runtime_info());
    free(ms);
  }
  free(input);
  free(output);
  qwb_destroy(model);
  return 0;
}
`;
