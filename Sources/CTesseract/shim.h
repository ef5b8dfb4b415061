#ifndef CTESSERACT_SHIM_H
#define CTESSERACT_SHIM_H
#include <tesseract/capi.h>

// Debian builds tesseract with OpenMP. Its thread count is fixed per calling thread, so each worker
// thread sets it to one before recognising: we parallelise across pages and zones ourselves.
void omp_set_num_threads(int);
#endif
