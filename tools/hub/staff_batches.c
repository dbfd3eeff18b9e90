/* staff_batches: the batches page (counts per batch) and the uploads of
 * the applications, payments and rooms CSV files. */
#include "tools/hub/staff_int.h"

enum MHD_Result staff_page_batches(sreq *q) { return sp_message(q, MHD_HTTP_NOT_FOUND, "批次", "尚未开放。"); }
enum MHD_Result staff_upload_applications(sreq *q) { return staff_page_batches(q); }
enum MHD_Result staff_upload_payments(sreq *q) { return staff_page_batches(q); }
enum MHD_Result staff_upload_rooms(sreq *q) { return staff_page_batches(q); }
