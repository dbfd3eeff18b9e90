/* template: .xlsx templates for banks, rosters and applications (see template.h). */
#include "tools/template.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "cert/eligibility.h"
#include "core/bank.h"
#include "core/fileio.h"
#include "core/roster.h"

/* what registering takes besides the eligibility columns (tools/hub/wf_import.c reads them;
 * tests/e2e/test_xlsx.sh registers the template) */
static const csv_column REGISTER_COLS[] = {
    {"received", "收件日期", 1}, {"address", "通信地址", 1}, {"phone", "电话", 1}};

/* one example row of the bank per question type, in the columns' order of core/bank.c (id, type,
 * section, stem, A-H, answer, points, explanation) */
static const char *const BANK_ROWS[][15] = {
    {"J1", "判断", "电子商务基础", "网店经营者应当依法办理市场主体登记。", "", "", "", "", "", "", "", "", "对", "",
     "判断题：答案写 对/错（或 T/F、√/×）。"},
    {"S1", "单选", "网络营销", "搜索引擎优化的英文缩写是（　）。", "SEO", "SEM", "CPC", "CPM", "", "", "", "", "A", "",
     "单选题：答案写一个选项字母。"},
    {"M1", "多选", "网络营销", "下列属于网络营销常用方法的有（　）。", "内容营销", "搜索引擎营销", "电子邮件营销",
     "挨家挨户上门推销", "", "", "", "", "ABC", "", "多选题：答案写全部正确选项的字母。"},
    {"F1", "填空", "数据分析", "客单价＝销售额÷____。", "", "", "", "", "", "", "", "", "成交人数|成交买家数", "",
     "填空题：每空一个答案，空与空之间用 ; 分隔，同一空的几种写法用 | 分隔。"},
    {"N1", "计算", "数据分析", "某商品进价60元，售价100元，该商品的毛利率是多少（%）？", "", "", "", "", "", "", "", "",
     "40±0.01", "", "计算题：答案写数值，可加 ±误差。请把答案列设为文本，按原样保存。"},
    {"O1", "排序", "网店运营", "请将开设网店的步骤按正确顺序排列。", "完成开店实名认证", "发布商品并上架销售",
     "创建店铺并设置基本信息", "注册电商平台会员账号", "", "", "", "", "DACB", "", "排序题：答案按正确顺序写选项字母。"},
    {"X1", "匹配", "数据分析", "请为左侧的数据指标缩写选择对应的中文含义。", "CTR", "ROI", "UV", "", "", "", "", "",
     "点击率|投入产出比|独立访客数", "", "匹配题：选项为左侧各项，答案按左侧顺序写右侧各项，用 | 分隔。"},
    {"E1", "简答", "网店运营", "简述网店客服在售前、售中、售后的主要工作。", "", "", "", "", "", "", "", "",
     "评分要点：售前答疑与推荐；售中核对订单；售后退换货与评价管理。", "", "简答题：答案写参考答案或评分要点，由人工评分。"},
};

/* the last column: planned extra time (延长时间), empty for most; the second
 * row shows an approved accommodation of 30 minutes */
static const char *const ROSTER_ROWS[][7] = {
    {"2026114401001", "李嘉欣", "441900199304211169", "4", "01", "1", ""},
    {"2026114401002", "苏伟雄", "440303200003093278", "4", "01", "2", "30"},
};

/* eligibility's columns (id_number, name, applied_level, work_years, education, major_related, cert,
 * cert_years, training, graduated_years), then received, address, phone */
static const char *const APP_ROWS[][13] = {
    {"441900199304211169", "李嘉欣", "4", "2", "junior_college", "yes", "", "", "", "3", "2026-03-01",
     "广东省东莞市南城区宏图路1号", "13800138000"},
};

typedef struct kind {
    const char *name, *sheet;
    const char *const *rows; /* nrows × ncols strings */
    size_t nrows, ncols;
} kind;

const char *template_kind(const char *k)
{
    static const char *const K[] = {"bank", "roster", "applications"};
    for (size_t i = 0; i < sizeof K / sizeof *K; i++)
        if (k && !strcmp(k, K[i])) return K[i];
    return NULL;
}

/* the width of a column, in characters, by its English name */
static double width_of(const char *en)
{
    static const struct { const char *en; double w; } W[] = {
        {"stem", 48}, {"answer", 28}, {"explanation", 40}, {"section", 14}, {"id_number", 21}, {"ticket", 16},
        {"address", 30}, {"education", 16}, {"received", 12}, {"phone", 14}, {"type", 8}, {"id", 8}};
    for (size_t i = 0; i < sizeof W / sizeof *W; i++)
        if (!strcmp(W[i].en, en)) return W[i].w;
    return strlen(en) == 1 ? 16 : 11; /* an option A-H, or a short column */
}

/* columns whose numbers would lose digits: written, and formatted, as text (core/xlsx.c refuses numbers there) */
static int text_column(const char *en) { return !strcmp(en, "ticket") || !strcmp(en, "id_number") || !strcmp(en, "answer"); }

int template_write(const char *path, const char *kname, char **why)
{
    size_t nb, nr, ne;
    const csv_column *bc = bank_columns(&nb), *rc = roster_columns(&nr), *ec = eligibility_columns(&ne);
    csv_column cols[32];
    size_t ncols = 0;
    kind k = {0};
    if (!strcmp(kname, "bank")) {
        k = (kind){"bank", "题库", &BANK_ROWS[0][0], sizeof BANK_ROWS / sizeof *BANK_ROWS, 15};
        if (nb != 15) { *why = fileio_fmt("the bank has %zu columns, the template 15: update tools/template.c", nb); return -1; }
        memcpy(cols, bc, nb * sizeof *cols);
        ncols = nb;
    } else if (!strcmp(kname, "roster")) {
        k = (kind){"roster", "考生名单", &ROSTER_ROWS[0][0], sizeof ROSTER_ROWS / sizeof *ROSTER_ROWS, 7};
        if (nr != 7) { *why = fileio_fmt("the roster has %zu columns, the template 7: update tools/template.c", nr); return -1; }
        memcpy(cols, rc, nr * sizeof *cols);
        ncols = nr;
    } else if (!strcmp(kname, "applications")) {
        k = (kind){"applications", "报名表", &APP_ROWS[0][0], sizeof APP_ROWS / sizeof *APP_ROWS, 13};
        if (ne != 10) { *why = fileio_fmt("eligibility has %zu columns, the template 10: update tools/template.c", ne); return -1; }
        memcpy(cols, ec, ne * sizeof *cols);
        memcpy(cols + ne, REGISTER_COLS, sizeof REGISTER_COLS);
        ncols = ne + 3;
    } else {
        *why = fileio_fmt("--kind %s: bank, roster or applications", kname);
        return -1;
    }
    char *tmp = fileio_fmt("%s.tmp.%ld", path, (long)getpid());
    if (!tmp) { *why = fileio_fmt("out of memory"); return -1; }
    /* made here first: libxlsxwriter would print its own error for a folder that is not there */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        *why = fileio_fmt("cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    close(fd);
    lxw_workbook *wb = workbook_new(tmp);
    if (!wb) {
        unlink(tmp);
        *why = fileio_fmt("cannot create %s", tmp);
        free(tmp);
        return -1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, k.sheet), *notes = workbook_add_worksheet(wb, "说明");
    lxw_format *head = workbook_add_format(wb), *text = workbook_add_format(wb), *wrap = workbook_add_format(wb),
               *date = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    format_set_num_format(text, "@");
    format_set_text_wrap(wrap);
    format_set_num_format(date, "yyyy-mm-dd");
    for (size_t c = 0; c < ncols; c++) {
        lxw_col_t col = (lxw_col_t)c;
        lxw_format *f = text_column(cols[c].en) ? text : !strcmp(cols[c].en, "received") ? date : NULL;
        worksheet_set_column(ws, col, col, width_of(cols[c].en), f);
        worksheet_write_string(ws, 0, col, cols[c].zh ? cols[c].zh : cols[c].en, head);
        for (size_t r = 0; r < k.nrows; r++) {
            const char *v = k.rows[r * k.ncols + c];
            lxw_row_t row = (lxw_row_t)(r + 1);
            lxw_datetime dt = {0};
            if (!*v) continue;
            if (f == date && sscanf(v, "%d-%d-%d", &dt.year, &dt.month, &dt.day) == 3)
                worksheet_write_datetime(ws, row, col, &dt, date); /* a date as Excel stores one: a serial */
            else worksheet_write_string(ws, row, col, v, f == text ? text : !strcmp(cols[c].en, "stem") ? wrap : NULL);
        }
    }
    worksheet_freeze_panes(ws, 1, 0);
    /* the notes: each column, its English name (also accepted) and whether it must be there */
    worksheet_set_column(notes, 0, 0, 16, NULL);
    worksheet_set_column(notes, 1, 1, 16, NULL);
    worksheet_set_column(notes, 2, 2, 60, NULL);
    worksheet_write_string(notes, 0, 0, "列名", head);
    worksheet_write_string(notes, 0, 1, "英文列名（也可用）", head);
    worksheet_write_string(notes, 0, 2, "说明", head);
    for (size_t c = 0; c < ncols; c++) {
        lxw_row_t row = (lxw_row_t)(c + 1);
        worksheet_write_string(notes, row, 0, cols[c].zh ? cols[c].zh : cols[c].en, NULL);
        worksheet_write_string(notes, row, 1, cols[c].en, NULL);
        worksheet_write_string(notes, row, 2,
                               text_column(cols[c].en) && strcmp(cols[c].en, "answer")
                                   ? (cols[c].required ? "必填；请保持文本格式（数字会丢失位数或开头的 0）"
                                                       : "选填；请保持文本格式")
                                   : cols[c].required ? "必填" : "选填", NULL);
    }
    worksheet_write_string(notes, (lxw_row_t)(ncols + 2), 0,
                           "只读取第一张工作表（或 --sheet 指定的表）；不要合并单元格；第一行是列名，列的顺序不限。", NULL);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        unlink(tmp);
        *why = fileio_fmt("cannot write %s: %s", path, lxw_strerror(e));
        free(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        *why = fileio_fmt("cannot rename %s to %s", tmp, path);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
