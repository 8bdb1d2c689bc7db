// The module is its header: telegen_json_marks64 is inlined where Swift calls it.
#include "CJSONMarks.h"
