// A real headless Chromium for page tests: playwright-core driving the binary that the
// @sparticuz/chromium npm package ships (unpacked on first use; nothing is downloaded).
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";

export async function launchChromium(): Promise<Browser> {
  // The package's flags are for one-page serverless runs; --single-process ends the whole browser
  // when one context closes, and the tests open one context per user.
  const args = chromium.args.filter((flag) => flag !== "--single-process");
  return playwright.launch({ executablePath: await chromium.executablePath(), args, headless: true });
}

/** "4 356 643,58 ₸", "1,39 %", "832 853" as numbers (percent as a ratio); "—" is null. */
export function readRuNumber(text: string): number | null {
  const t = text.replace(/[\s\u00a0\u202f]/g, "");
  if (t === "—") return null;
  const percent = t.endsWith("%");
  const value = Number(t.replace(/[₸%×]/g, "").replace(",", "."));
  if (Number.isNaN(value)) throw new Error(`not a ru-KZ number: "${text}"`);
  return percent ? value / 100 : value;
}
