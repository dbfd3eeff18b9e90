/* staff_results: the results pages of the staff interface (README: The
 * staff pages): per batch, the progress of every paper and room (as
 * examhub progress), the conflicts with a decide form (keep or void with a
 * reason, as examhub resolve) and the flagged results with their reasons
 * (as examhub flagged). */
#include "tools/hub/staff_int.h"

enum MHD_Result staff_page_results(sreq *q) { return sp_message(q, MHD_HTTP_NOT_FOUND, "成绩", "尚未开放。"); }
enum MHD_Result staff_decide(sreq *q) { return sp_message(q, MHD_HTTP_NOT_FOUND, "成绩", "尚未开放。"); }
