/* idnumber: GB 11643-1999 ID numbers (see idnumber.h). */
#include "core/idnumber.h"

#include <string.h>

char idnumber_check_char(const char *body17)
{
    static const int W[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (body17[i] < '0' || body17[i] > '9') return 0;
        sum += (body17[i] - '0') * W[i];
    }
    return "10X98765432"[sum % 11];
}

int idnumber_valid(const char *id)
{
    if (strlen(id) != IDNUMBER_LEN) return 0;
    char want = idnumber_check_char(id);
    char got = id[17] == 'x' ? 'X' : id[17];
    return want && got == want;
}

void idnumber_normalise(char *id)
{
    for (char *p = id; *p; p++)
        if (*p == 'x') *p = 'X';
}
