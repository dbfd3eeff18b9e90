/* actions: the invigilators' POSTs (see console_int.h): confirm a seat,
 * the unlock, the room-wide actions (each with its confirm page), and the
 * room record for the page. */
#include "tools/room/console_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "tools/room/record.h"

/* ---- commands ----------------------------------------------------------------- */

#define ACT_MAX_SEATS 128

typedef struct act {
    int type;                 /* roomproto_cmd_type */
    int all;                  /* every seat (one command) */
    char seats[ACT_MAX_SEATS][17];
    char pks[ACT_MAX_SEATS][65];
    int n;
    int minutes;
    char reason[ROOMPROTO_REASON_MAX + 1];
    const char *actor;
    roomstate *st;
} act;

static int act_seal(void *ctx, int i, room_cmd_row *row)
{
    const act *a = ctx;
    const char *why = NULL;
    const char *target = a->all ? NULL : a->seats[i];
    if (roomstate_seal(a->st, a->type, target, a->all ? NULL : a->pks[i], a->minutes, a->reason, row, &why)) return 1;
    if (a->type == ROOMPROTO_CMD_EXTEND)
        snprintf(row->detail, sizeof row->detail, "%s to %s: %d minutes, reason %s", row->type,
                 target ? target : "every seat", a->minutes, a->reason);
    else
        snprintf(row->detail, sizeof row->detail, "%s to %s", row->type, target ? target : "every seat");
    return 0;
}

static const char *act_zh(int type)
{
    switch (type) {
    case ROOMPROTO_CMD_PAUSE_ALL: return "全部暂停（所有座位的考试计时停止）";
    case ROOMPROTO_CMD_RESUME_ALL: return "全部继续（所有座位的考试计时恢复）";
    case ROOMPROTO_CMD_EXTEND: return "延长考试时间";
    case ROOMPROTO_CMD_CLOSE_ENTRY: return "截止入场（未登录的名单考生记为缺考，座位不再接受新登录）";
    case ROOMPROTO_CMD_FORCE_HANDIN: return "强制收卷";
    case ROOMPROTO_CMD_LOCK: return "锁定考机";
    case ROOMPROTO_CMD_AUTHORISE_RESUME: return "授权恢复考试（代替在考机上输入发布码和监考密码）";
    }
    return "?";
}

static int act_type(const char *name)
{
    for (int t = ROOMPROTO_CMD_PAUSE_ALL; t <= ROOMPROTO_CMD_MAX; t++)
        if (!strcmp(name, roomproto_cmd_name(t))) return t;
    return 0;
}

/* the action of a form (first step or confirmed): 0, or -1 with *why_zh */
static int act_parse(srv *s, const req *q, act *a, const char **why_zh)
{
    const char *body = dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    char name[32], scope[16] = "", num[16];
    memset(a, 0, sizeof *a);
    if (!con_form_field(body, len, "action", name, sizeof name) || !(a->type = act_type(name)))
        return *why_zh = "未知的操作。", -1;
    (void)con_form_field(body, len, "scope", scope, sizeof scope);
    int seat_only = a->type == ROOMPROTO_CMD_AUTHORISE_RESUME;
    int all_only = a->type == ROOMPROTO_CMD_PAUSE_ALL || a->type == ROOMPROTO_CMD_RESUME_ALL ||
                   a->type == ROOMPROTO_CMD_CLOSE_ENTRY;
    a->all = all_only || (!seat_only && !strcmp(scope, "all"));
    if (!a->all) {
        char kid[40];
        for (int i = 0; con_form_field_n(body, len, "seat", i, kid, sizeof kid); i++) {
            if (a->n == ACT_MAX_SEATS) return *why_zh = "所选座位过多。", -1;
            room_seat rs_;
            int f = roomstore_seat(s->cfg->rs, kid, &rs_);
            if (f < 0) return *why_zh = "数据库错误。", -1;
            if (!f || strcmp(rs_.state, SEAT_CONFIRMED)) return *why_zh = "只能对已确认的座位操作。", -1;
            int dup = 0;
            for (int j = 0; j < a->n; j++) dup |= !strcmp(a->seats[j], kid);
            if (dup) continue;
            snprintf(a->seats[a->n], sizeof a->seats[a->n], "%s", rs_.kiosk_id);
            snprintf(a->pks[a->n], sizeof a->pks[a->n], "%s", rs_.device_pk);
            a->n++;
        }
        if (!a->n) return *why_zh = "请先在座位图上勾选座位（或选择“全部座位”）。", -1;
        if (seat_only && a->n != 1) return *why_zh = "授权恢复一次只针对一个座位。", -1;
    }
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        char *end;
        if (!con_form_field(body, len, "minutes", num, sizeof num)) return *why_zh = "请填写延长的分钟数。", -1;
        long m = strtol(num, &end, 10);
        if (*end || m < 1 || m > ROOMPROTO_EXTEND_MAX) return *why_zh = "延长时间须为 1–600 分钟。", -1;
        a->minutes = (int)m;
        char reason[4 * ROOMPROTO_REASON_MAX];
        const char *twhy = NULL;
        if (!con_form_field(body, len, "reason", reason, sizeof reason) || !*reason || strlen(reason) > ROOMPROTO_REASON_MAX ||
            text_field_check(reason, ROOMPROTO_REASON_MAX, &twhy))
            return *why_zh = "请填写延长原因（1–120 字节，不含控制字符）。", -1;
        memcpy(a->reason, reason, strlen(reason) + 1); /* ≤ ROOMPROTO_REASON_MAX bytes: checked above */
    }
    a->st = &s->st;
    return 0;
}

/* the confirm step: what will be sent, and the same form again with confirm=1 */
static enum MHD_Result act_confirm_page(srv *s, struct MHD_Connection *c, const session *k, const act *a)
{
    dynbuf b;
    dynbuf_init(&b, 256u << 10);
    con_page_head(&b, "考场控制台 · 确认操作", 0);
    con_out(&b, "<form class=\"login confirm\" method=\"post\" action=\"/action\"><h1>请确认操作</h1><p class=\"what\">");
    con_esc(&b, act_zh(a->type));
    con_out(&b, "</p><p>对象：");
    if (a->all) {
        view w;
        int n = 0;
        if (pages_view_load(s, &w) == 0)
            for (int i = 0; i < w.n; i++) n += !strcmp(w.v[i].seat.state, SEAT_CONFIRMED);
        free(w.v);
        con_out(&b, "<b>全部已确认座位（%d 个）</b>", n);
    } else {
        for (int i = 0; i < a->n; i++) {
            room_seat r;
            con_out(&b, "%s<b>", i ? "、" : "");
            if (roomstore_seat(s->cfg->rs, a->seats[i], &r) == 1) con_out(&b, "%d 号 ", r.seat);
            con_esc(&b, a->seats[i]);
            con_out(&b, "</b>");
        }
    }
    con_out(&b, "</p>");
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        con_out(&b, "<p>延长 <b>%d</b> 分钟，原因：<b>", a->minutes);
        con_esc(&b, a->reason);
        con_out(&b, "</b></p>");
    }
    con_out(&b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"action\" value=\"%s\">"
            "<input type=\"hidden\" name=\"scope\" value=\"%s\"><input type=\"hidden\" name=\"confirm\" value=\"1\">",
        k->csrf, roomproto_cmd_name(a->type), a->all ? "all" : "selected");
    for (int i = 0; !a->all && i < a->n; i++) {
        con_out(&b, "<input type=\"hidden\" name=\"seat\" value=\"");
        con_esc(&b, a->seats[i]);
        con_out(&b, "\">");
    }
    if (a->type == ROOMPROTO_CMD_EXTEND) {
        con_out(&b, "<input type=\"hidden\" name=\"minutes\" value=\"%d\"><input type=\"hidden\" name=\"reason\" value=\"",
            a->minutes);
        con_esc(&b, a->reason);
        con_out(&b, "\">");
    }
    con_out(&b, "<div class=\"two\"><button type=\"submit\" class=\"danger\">确认执行</button>"
            "<a class=\"cancel\" href=\"/\">取消</a></div></form></body></html>");
    return con_reply_html(c, MHD_HTTP_OK, &b, NULL, NULL, NULL);
}

static void actor_of(struct MHD_Connection *c, char actor[64])
{
    char ip[INET_ADDRSTRLEN];
    con_peer(c, ip);
    snprintf(actor, 64, "invigilator %s", ip);
}

/* close entry: every roster candidate not logged in anywhere is absent */
static int record_absences(srv *s, const char *actor, int *count)
{
    room_cand *cands;
    int unlocked = 0;
    size_t nc = roomstate_cands(&s->st, &cands, &unlocked);
    seen_set seen = {0};
    int rc = roomstore_seen(s->cfg->rs, pages_seen_add, &seen) < 0 ? -1 : 0;
    int level = roomstate_level(&s->st);
    *count = 0;
    for (size_t i = 0; !rc && i < nc; i++) {
        if (pages_seen_has(&seen, cands[i].ticket) || (level >= 0 && cands[i].level != level)) continue;
        int r = roomstore_absent_add(s->cfg->rs, cands[i].ticket, cands[i].seat, con_now_s(), actor);
        if (r < 0) rc = -1;
        else if (r == 0) ++*count;
    }
    free(cands);
    free(seen.tickets);
    return rc;
}

enum MHD_Result pages_action(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64], confirm[8];
    actor_of(c, actor);
    if (!con_csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "refused", "action without a valid CSRF token");
        return con_forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    act *a = calloc(1, sizeof *a);
    if (!a) return MHD_NO;
    const char *why_zh = NULL;
    enum MHD_Result rc;
    if (act_parse(s, q, a, &why_zh)) {
        rc = pages_map(s, c, k, why_zh);
    } else if (!roomstate_unlocked(&s->st, NULL, NULL)) {
        rc = pages_map(s, c, k, "考场尚未解锁（或控制台重启后尚未重新登录）：不能发出新指令。");
    } else if (!con_form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "confirm", confirm, sizeof confirm) ||
               strcmp(confirm, "1")) {
        rc = act_confirm_page(s, c, k, a);
    } else {
        a->actor = actor;
        uint64_t first = 0;
        int r = roomstore_commands_add(s->cfg->rs, a->all ? 1 : a->n, act_seal, a, con_now_ms(), actor, &first);
        int absent = 0;
        if (!r && a->type == ROOMPROTO_CMD_CLOSE_ENTRY && record_absences(s, actor, &absent)) r = -1;
        if (r) rc = pages_map(s, c, k, r > 0 ? "无法生成指令（密钥不可用）。" : "数据库错误，指令未发出。");
        else rc = con_redirect(c, "/", NULL, NULL);
    }
    sodium_memzero(a, sizeof *a);
    free(a);
    return rc;
}

/* UNLOCK to each of SEATS (kiosk id, device key) that has none yet */
static int queue_unlocks(srv *s, const room_seat *seats, int n, const char *actor)
{
    act *a = calloc(1, sizeof *a);
    if (!a) return -1;
    a->type = ROOMPROTO_CMD_UNLOCK;
    a->st = &s->st;
    for (int i = 0; i < n && a->n < ACT_MAX_SEATS; i++) {
        if (strcmp(seats[i].state, SEAT_CONFIRMED)) continue;
        int e = roomstore_command_exists(s->cfg->rs, "unlock", seats[i].kiosk_id);
        if (e) continue; /* already sent (or a storage error: the next confirm tries again) */
        snprintf(a->seats[a->n], sizeof a->seats[a->n], "%s", seats[i].kiosk_id);
        snprintf(a->pks[a->n], sizeof a->pks[a->n], "%s", seats[i].device_pk);
        a->n++;
    }
    uint64_t first;
    int rc = a->n ? roomstore_commands_add(s->cfg->rs, a->n, act_seal, a, con_now_ms(), actor, &first) : 0;
    int sent = a->n;
    sodium_memzero(a, sizeof *a);
    free(a);
    return rc ? -1 : sent;
}

enum MHD_Result pages_unlock(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64];
    actor_of(c, actor);
    if (!con_csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "refused", "unlock without a valid CSRF token");
        return con_forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    const char *body = dynbuf_ptr(&q->body);
    size_t len = dynbuf_len(&q->body);
    char pack[40], code[64], pin[40], pin2[40], confirm[8];
    const char *why_zh = NULL;
    if (!con_form_field(body, len, "pack", pack, sizeof pack) || !con_form_field(body, len, "code", code, sizeof code) ||
        !con_form_field(body, len, "pin", pin, sizeof pin) || !con_form_field(body, len, "pin2", pin2, sizeof pin2))
        why_zh = "请填写试卷包、发布码和两次监考密码。";
    else if (!con_form_field(body, len, "confirm", confirm, sizeof confirm) || strcmp(confirm, "1"))
        why_zh = "请勾选“确认：向全部已确认的座位发送解锁”。";
    else if (roomstate_unlock(&s->st, pack, code, pin, pin2, actor, &why_zh) == 0)
        why_zh = NULL;
    sodium_memzero(code, sizeof code);
    sodium_memzero(pin, sizeof pin);
    sodium_memzero(pin2, sizeof pin2);
    if (why_zh) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "unlock-refused", "the unlock form was refused (see the page)");
        return pages_map(s, c, k, why_zh);
    }
    room_seat *v;
    int n = roomstore_seats(s->cfg->rs, &v);
    int sent = n < 0 ? -1 : queue_unlocks(s, v, n, actor);
    if (n >= 0) free(v);
    if (sent < 0) return pages_map(s, c, k, "已解锁，但数据库错误：部分座位的解锁指令未生成。请确认座位后重试。");
    return con_redirect(c, "/", NULL, NULL);
}

enum MHD_Result pages_confirm(srv *s, struct MHD_Connection *c, const req *q, const session *k)
{
    char actor[64], kid[32];
    actor_of(c, actor);
    if (!con_csrf_ok(q, k)) {
        roomstore_log(s->cfg->rs, con_now_s(), actor, "refused", "confirm without a valid CSRF token");
        return con_forbidden(c, "请求缺少有效的 CSRF 令牌，已拒绝。请从座位图页面操作。");
    }
    if (!con_form_field(dynbuf_ptr(&q->body), dynbuf_len(&q->body), "kiosk_id", kid, sizeof kid))
        return pages_map(s, c, k, "缺少考机编号。");
    int rc = roomstore_confirm(s->cfg->rs, kid, actor, con_now_s());
    if (rc < 0) return pages_map(s, c, k, "数据库错误，座位未确认。");
    if (rc > 0) return pages_map(s, c, k, "该考机不是“未确认”状态，未作更改。");
    /* confirmed while the room is unlocked: its unlock now */
    room_seat r;
    if (roomstate_unlocked(&s->st, NULL, NULL) && roomstore_seat(s->cfg->rs, kid, &r) == 1 &&
        queue_unlocks(s, &r, 1, actor) < 0)
        return pages_map(s, c, k, "座位已确认，但解锁指令未生成（数据库错误）。");
    return con_redirect(c, "/", NULL, NULL);
}

/* GET /record: the signed room record as `examroom report` writes it */
enum MHD_Result pages_record(srv *s, struct MHD_Connection *c)
{
    char *rec = NULL, *why = NULL;
    size_t len = 0;
    if (record_make(s->cfg->rs, s->cfg->dir, con_now_s(), &rec, &len, &why)) {
        enum MHD_Result rc = con_forbidden(c, why ? why : "无法生成考场记录。");
        free(why);
        return rc;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(len, rec, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(rec); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    roomstore_log(s->cfg->rs, con_now_s(), "invigilator", "record", "room record downloaded from the console page");
    return rc;
}
