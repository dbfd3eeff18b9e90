"""The hub's staff pages in a real browser (Chromium through chromedriver and
selenium) as a registration clerk at 1366x768: log in with the form, upload
a bad applications CSV (the page lists its error, nothing registered), then
a good one (taken), and read the batch's counts from the batches page.
Saves staff-login.png, staff-upload-bad.png and staff-batches.png in SHOTDIR.
With ADMIN and its PASSWORD, then signs in as that admin and saves the results
page of BATCH (staff-results.png), its batches page with every form
(staff-batches-admin.png) and the audit log (staff-audit.png).
With MARKER and its PASSWORD, last signs in as that marker: the home page,
and the batches page refused (权限不足, staff-marker-refused.png).
Usage: staff_browser.py STAFF_URL NAME PASSWORD BAD.csv GOOD.csv SHOTDIR [ADMIN ADMIN_PASSWORD BATCH [MARKER MARKER_PASSWORD]]
Exit 0 when every step showed what it should; prints what it saw."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, name, password, bad, good, shots = sys.argv[1:7]
admin = sys.argv[7:10]
marker = sys.argv[10:12]
opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=zh-CN"):
    opts.add_argument(a)
driver = webdriver.Chrome(options=opts)
problems = []


def wait_text(text, seconds=20):
    try:
        WebDriverWait(driver, seconds).until(lambda d: text in d.page_source)
        return True
    except Exception:
        problems.append(f"'{text}' never showed on {driver.current_url}")
        return False


def fits():
    """the page needs no sideways scrolling at 1366 wide"""
    w = driver.execute_script("return document.documentElement.scrollWidth")
    if w > 1366:
        problems.append(f"{driver.current_url} is {w} px wide")


def upload(path):
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/staff/upload/applications']")
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(os.path.abspath(path))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def login(who, pw, shot=None):
    driver.get(url + "/login")
    wait_text("工作人员登录")
    if shot:
        driver.save_screenshot(os.path.join(shots, shot))
    driver.find_element(By.NAME, "name").send_keys(who)
    driver.find_element(By.NAME, "password").send_keys(pw)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_text("退出登录")


try:
    login(name, password, "staff-login.png")
    # the style sheet is allowed by its hash in the CSP: the header is dark blue, not unstyled
    bg = driver.find_element(By.TAG_NAME, "header").value_of_css_property("background-color")
    if bg not in ("rgba(31, 58, 95, 1)", "rgb(31, 58, 95)"):
        problems.append(f"the header is not styled (background {bg}): the CSP blocked the style sheet?")
    driver.get(url + "/batches")
    wait_text("批次一览")
    upload(bad)
    if wait_text("未做任何更改"):
        errs = [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".err li")]
        print("bad upload lists:", errs)
        if not any(os.path.basename(bad) + ":2:" in e for e in errs):
            problems.append("the bad file's line 2 is not named")
    fits()
    driver.save_screenshot(os.path.join(shots, "staff-upload-bad.png"))
    upload(good)
    if wait_text("已导入"):
        print("good upload:", [li.text for li in driver.find_elements(By.CSS_SELECTOR, ".ok li")])
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "table tr") if r.text.startswith("2026-04")]
    cells = rows[0].find_elements(By.TAG_NAME, "td") if rows else []
    counts = [c.text for c in cells]
    print("batch 2026-04:", counts)
    if len(counts) < 3 or counts[1] != "2" or counts[2] != "2":
        problems.append(f"batch 2026-04 should show 2 applications, 2 eligible: {counts}")
    fits()
    driver.save_screenshot(os.path.join(shots, "staff-batches.png"))
    if len(admin) == 3:
        driver.find_element(By.CSS_SELECTOR, "header button[type=submit]").click()  # 退出登录
        wait_text("工作人员登录")
        login(admin[0], admin[1])
        driver.get(url + "/batches")
        wait_text("编排考场")
        fits()
        driver.save_screenshot(os.path.join(shots, "staff-batches-admin.png"))
        driver.get(url + "/results?batch=" + admin[2])
        if wait_text("进度"):
            print("results page sections:", [h.text for h in driver.find_elements(By.TAG_NAME, "h2")])
        fits()
        driver.save_screenshot(os.path.join(shots, "staff-results.png"))
        # and the whole page, to see its lower sections (room record, final results)
        h = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1366, min(h + 140, 4000))
        driver.save_screenshot(os.path.join(shots, "staff-results-full.png"))
        driver.set_window_size(1366, 768)
        driver.get(url + "/audit")
        wait_text("审计日志")
        fits()
        driver.save_screenshot(os.path.join(shots, "staff-audit.png"))
    if len(marker) == 2:
        driver.find_element(By.CSS_SELECTOR, "header button[type=submit]").click()
        wait_text("工作人员登录")
        login(marker[0], marker[1])
        wait_text("阅卷员")
        links = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "header nav a")]
        print("marker's pages:", links)
        if links != ["首页"]:
            problems.append(f"the marker's header offers {links}")
        driver.get(url + "/batches")
        wait_text("权限不足")
        driver.save_screenshot(os.path.join(shots, "staff-marker-refused.png"))
finally:
    driver.quit()
for p in problems:
    print("problem:", p)
sys.exit(1 if problems else 0)
