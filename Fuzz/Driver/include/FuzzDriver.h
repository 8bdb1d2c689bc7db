// libFuzzer's entry for programs with their own main (compiler-rt FuzzerInterface.h).
// SwiftPM names an executable's entry point <module>_main and links `main` to it, so
// libFuzzer's own main cannot be used; each fuzzer's main.swift calls this instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
