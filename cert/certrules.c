/* certrules: the notice's fixed rules: fees, batches, ticket and
 * certificate numbers, the pass rule. Pure functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/certrules.h"

int certrules_fee(int level)
{
    switch (level) {
    case 4: return 410;  /* 四级/中级工 */
    case 3: return 460;  /* 三级/高级工 */
    case 2: return 800;  /* 二级/技师 */
    case 1: return 1200; /* 一级/高级技师 */
    }
    return -1;
}

int certrules_date_valid(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-') return 0;
    for (int i = 0; i < 10; i++) /* digits only: no signs or blanks */
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return 0;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2099 || m < 1 || m > 12 || day < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return day <= DAYS[m - 1] + (m == 2 && leap);
}

int certrules_batch_of(const char *date, char batch[8])
{
    if (!certrules_date_valid(date)) return -1;
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    if (d > 15) { /* after the 15th: next month's batch */
        if (++m > 12) { m = 1; y++; }
    }
    snprintf(batch, 8, "%04d-%02d", y, m);
    return 0;
}

void certrules_ticket(const char *batch, int room_index, int seat, char out[16])
{
    int y = 0, m = 0;
    sscanf(batch, "%4d-%2d", &y, &m);
    char buf[64];
    snprintf(buf, sizeof buf, "%04u%02u44%02u%03u", (unsigned)y % 10000, (unsigned)m % 100, (unsigned)room_index % 100,
             (unsigned)seat % 1000);
    memcpy(out, buf, 14); /* 13 digits + NUL */
}

int certrules_certificate_number(const char *body, const char *site_code, int year, int level, int serial, char out[23])
{
    if (strlen(body) != 4 || strlen(site_code) != 6 || level < 1 || level > 5 || serial < 1 || serial > 999999) return -1;
    for (const char *p = body; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    for (const char *p = site_code; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    char buf[64];
    snprintf(buf, sizeof buf, "S%s44%s%02u%u%06u", body, site_code, (unsigned)year % 100, (unsigned)level, (unsigned)serial);
    if (strlen(buf) != 22) return -1;
    memcpy(out, buf, 23);
    return 0;
}

int certrules_passes(int level, int theory, int practical, int review)
{
    if (theory < 600 || practical < 600) return 0;
    if (level <= 2 && review < 600) return 0;
    return 1;
}
