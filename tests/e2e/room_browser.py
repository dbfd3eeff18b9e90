"""The room console page in a real browser (Chromium through chromedriver and
selenium).

  room_browser.py URL PASSWORD SHOT.png
      log in with the form, confirm the first unconfirmed seat with its
      button, and save a screenshot. Exit 0 when the seat map came up after
      the log-in and one seat fewer waits for confirmation after the click.
  room_browser.py --room URL PASSWORD CODE PIN SHOTDIR RECORD_OUT
      the exam-day flow on a console whose seats report (a simulator moves
      seat 1's answered count): log in, confirm every seat, unlock with the
      release code and the PIN typed twice, watch seat 1's answered count
      move on the same page (the live table, no reload), pause all through
      its confirm step, and fetch the room record (saved to RECORD_OUT).
      Screenshots at 1366x768 in SHOTDIR: room_unlock.png, room_map.png,
      room_confirm.png, room_paused.png.
  room_browser.py --map URL PASSWORD SHOT.png TEXT
      log in, wait until the seat map shows TEXT, and save a screenshot of
      the whole page (1366 wide).

Prints what it saw, one line per step; exit 0 when every step held."""
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.common.exceptions import (ElementClickInterceptedException, StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=zh-CN"):
    opts.add_argument(a)

def retry(fn, tries=20):
    """the live table is replaced every second: an element found may go stale before the click"""
    for i in range(tries):
        try:
            return fn()
        except (StaleElementReferenceException, ElementClickInterceptedException):
            time.sleep(0.2)
    return fn()


def login(driver, url, password):
    driver.get(url + "/login")
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: "考场日志" in d.page_source)


def room_flow(url, password, code, pin, shotdir, record_out):
    driver = webdriver.Chrome(options=opts)
    try:
        return room_steps(driver, url, password, code, pin, shotdir, record_out)
    except WebDriverException as e:  # the step that failed, in one line (not chromedriver's stack)
        print(f"FAILED at {driver.current_url}: {type(e).__name__}: {(e.msg or '').splitlines()[0][:300]}")
        driver.save_screenshot(shotdir + "/room_failed.png")
        return 1
    finally:
        driver.quit()


def room_steps(driver, url, password, code, pin, shotdir, record_out):
    if True:
        login(driver, url, password)
        print("logged in: " + driver.current_url)
        confirm = "//button[contains(., '确认座位')]"
        for _ in range(20):
            buttons = driver.find_elements(By.XPATH, confirm)
            if not buttons:
                break
            try:
                buttons[0].click()
                WebDriverWait(driver, 20).until(EC.staleness_of(buttons[0]))
                WebDriverWait(driver, 20).until(lambda d: "考场日志" in d.page_source)
            except (StaleElementReferenceException, ElementClickInterceptedException, TimeoutException):
                time.sleep(0.2)  # replaced by the live table under the click: find it again
        left = len(driver.find_elements(By.XPATH, confirm))
        print(f"confirmed every seat: {left} confirm buttons left")
        if left:
            return 1
        driver.find_element(By.NAME, "code").send_keys(code)
        driver.find_element(By.NAME, "pin").send_keys(pin)
        driver.find_element(By.NAME, "pin2").send_keys(pin)
        driver.find_element(By.NAME, "confirm").click()
        driver.save_screenshot(shotdir + "/room_unlock.png")
        driver.find_element(By.XPATH, "//form[@action='/unlock']//button").click()
        WebDriverWait(driver, 30).until(lambda d: "已解锁：" in d.page_source)
        print("unlocked: " + driver.find_element(By.CSS_SELECTOR, "header .pack").text)
        # the live table moves without a reload: a marker set now survives
        driver.execute_script("window.__sameDocument = 1")
        def answered():
            return retry(lambda: driver.find_element(By.CSS_SELECTOR, ".seat .answered").text)
        first = answered()
        t0 = time.time()
        WebDriverWait(driver, 15, poll_frequency=0.2).until(lambda d: answered() != first)
        moved = answered()
        same = driver.execute_script("return window.__sameDocument === 1")
        print(f"seat 1 answered {first} -> {moved} in {time.time() - t0:.1f} s on the same page: {same}")
        driver.save_screenshot(shotdir + "/room_map.png")
        if not same:
            return 1
        retry(lambda: driver.find_element(By.XPATH, "//button[contains(., '全部暂停')]").click())
        WebDriverWait(driver, 20).until(lambda d: "请确认操作" in d.page_source)
        print("pause all asks for confirmation: " + driver.find_element(By.CSS_SELECTOR, ".what").text)
        driver.save_screenshot(shotdir + "/room_confirm.png")
        driver.find_element(By.XPATH, "//button[contains(., '确认执行')]").click()
        WebDriverWait(driver, 20).until(lambda d: "考场日志" in d.page_source)
        WebDriverWait(driver, 20).until(lambda d: "全部暂停" in d.find_element(By.CSS_SELECTOR, ".cols table").text)
        time.sleep(1.5)  # the seats report the pause (the simulator follows the commands)
        driver.save_screenshot(shotdir + "/room_paused.png")
        print("pause all sent: in the journal on the page")
        link = driver.find_element(By.XPATH, "//a[contains(., '下载考场记录')]")
        driver.get(link.get_attribute("href"))  # shown as text (text/plain) in the browser
        text = driver.find_element(By.TAG_NAME, "pre").text
        if text and not text.endswith("\n"):
            text += "\n"  # the page's text drops the file's last newline
        with open(record_out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print(f"room record: {text.splitlines()[0] if text else '(empty)'}, {len(text.encode())} bytes")
        return 0 if text.startswith("exam-room-record v1\n") else 1


def map_shot(url, password, shot, want):
    """log in, wait until the live map shows WANT, save a full-height screenshot"""
    driver = webdriver.Chrome(options=opts)
    try:
        login(driver, url, password)
        WebDriverWait(driver, 20).until(lambda d: want in d.page_source)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1366, max(768, min(height + 40, 6000)))
        time.sleep(1.2)  # one refresh of the live table at the new size
        driver.save_screenshot(shot)
        print(f"map with {want!r}, page height {height}")
        return 0
    except WebDriverException as e:
        print(f"FAILED at {driver.current_url}: {type(e).__name__}: {(e.msg or '').splitlines()[0][:300]}")
        return 1
    finally:
        driver.quit()


if sys.argv[1] == "--room":
    sys.exit(room_flow(*sys.argv[2:8]))
if sys.argv[1] == "--map":
    sys.exit(map_shot(*sys.argv[2:6]))

url, password, shot = sys.argv[1:4]
driver = webdriver.Chrome(options=opts)
try:
    driver.get(url + "/login")
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    try:
        WebDriverWait(driver, 20).until(lambda d: "考场日志" in d.page_source)
    except Exception:
        pass  # reported below with the page it stayed on
    if "考场控制台" not in driver.page_source or not driver.find_elements(By.XPATH, "//*[contains(., '考场日志')]"):
        print("no seat map after the log-in: " + driver.current_url)
        sys.exit(1)
    confirm = "//button[contains(., '确认座位')]"
    before = len(driver.find_elements(By.XPATH, confirm))
    if before == 0:
        print("no seat waits for confirmation")
        sys.exit(1)
    button = driver.find_elements(By.XPATH, confirm)[0]
    button.click()
    WebDriverWait(driver, 20).until(EC.staleness_of(button))  # the form posted, the seat map came back
    WebDriverWait(driver, 20).until(lambda d: "考场日志" in d.page_source)
    after = len(driver.find_elements(By.XPATH, confirm))
    driver.save_screenshot(shot)
    print(f"confirm buttons {before} -> {after}; page {driver.current_url}")
    sys.exit(0 if after == before - 1 else 1)
finally:
    driver.quit()
