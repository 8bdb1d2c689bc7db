import FuzzDriver
#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's driver with this program's arguments; see Driver/include/FuzzDriver.h.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, size in fuzzExposition(data, size) })
