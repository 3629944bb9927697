/* qwb_model.h: the C ABI of a Quant Workbench exported model (.so).
 *
 * Stable: later versions may add functions, never change these. One float32 input and one
 * float32 output, row-major, batch in dim 0 (1..max batch). Handles are independent: two threads
 * may each use their own handle at the same time; one handle is used by one thread at a time.
 * Every function that can fail returns 0 on success and non-zero on failure, with the message in
 * qwb_error(handle); nothing aborts the process. */
#ifndef QWB_MODEL_H
#define QWB_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qwb_model qwb_model;

/* Creates a handle (parses the embedded plan). num_threads 0 = all cores. On failure *model is
 * set to NULL and qwb_error(NULL) returns the message (per calling thread). */
int qwb_create(qwb_model **model, int num_threads);
/* Input dims (rank <= 8); dims[0] == -1: any batch from 1 to the export's max batch. */
int qwb_input_dims(const qwb_model *model, int64_t dims[8], int *rank);
int qwb_output_dims(const qwb_model *model, int64_t dims[8], int *rank);
/* Runs `batch` samples: input holds batch * prod(input dims[1:]) floats, output receives
 * batch * prod(output dims[1:]) floats. Recompiles when the batch differs from the last call. */
int qwb_run(qwb_model *model, const float *input, int64_t batch, float *output);
/* Last error of this handle, or "". With NULL: the calling thread's last qwb_create failure (or
 * ""). The string stays valid until the next call on the same handle (or thread, for NULL). */
const char *qwb_error(const qwb_model *model);
void qwb_destroy(qwb_model *model);
/* The machine as this library sees it, as one line of JSON: oneDNN's version and effective ISA
 * (after any ONEDNN_MAX_CPU_ISA cap), the CPU features read from cpuid, and how int8 products
 * accumulate ("vnni", "amx" or "16bit-pairs"). Static storage; valid for the process's lifetime. */
const char *qwb_runtime_info(void);

#ifdef __cplusplus
}
#endif

#endif /* QWB_MODEL_H */
