#ifndef SB_FUZZER_DRIVER_H
#define SB_FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (`LLVMFuzzerRunDriver`) with `callback` as the target. SwiftPM points an
/// executable's `main` at the module's own entry function, so libFuzzer's `main` is never used; the
/// fuzz build's entry calls this instead. Returns -1 when libFuzzer is not linked (a normal build).
int sb_fuzzer_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
