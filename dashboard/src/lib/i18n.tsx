// Interface language: Russian by default (the school works in Russian), English on request; the
// choice is kept in localStorage. Numbers stay in ru-KZ style either way (lib/format.ts).
import { createContext, useContext, useState, type ReactNode } from "react";
import { en } from "./i18n-en.ts";
import { ru, type Dictionary } from "./i18n-ru.ts";

export type Language = "ru" | "en";
const DICTIONARIES: Record<Language, Dictionary> = { ru, en };
const STORAGE_KEY = "voronka.language";

interface I18n {
  language: Language;
  t: Dictionary;
  setLanguage(language: Language): void;
}

const I18nContext = createContext<I18n>({ language: "ru", t: ru, setLanguage: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() =>
    localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ru",
  );
  const setLanguage = (next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLanguageState(next);
  };
  return (
    <I18nContext.Provider value={{ language, t: DICTIONARIES[language], setLanguage }}>{children}</I18nContext.Provider>
  );
}

export const useI18n = () => useContext(I18nContext);
