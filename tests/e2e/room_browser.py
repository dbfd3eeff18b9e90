"""The room console page in a real browser (Chromium through chromedriver and
selenium): log in with the form, confirm the first unconfirmed seat with its
button, and save a screenshot. Usage: room_browser.py URL PASSWORD SHOT.png
Exit 0 when the seat map came up after the log-in and one seat fewer waits
for confirmation after the click; prints what it saw."""
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

url, password, shot = sys.argv[1:4]
opts = Options()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=zh-CN"):
    opts.add_argument(a)
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
