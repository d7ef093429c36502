// Korean particles chosen from the last sound of the word before them ("7×7이", "커널을", "Conv2D를"),
// instead of the machine-like "이(가)". The same rules as app/core/text.py's josa(), which words the
// server's messages; tests/unit/test_korean.py checks that both choose alike.

const HANGUL_FIRST = 0xac00;
const HANGUL_LAST = 0xd7a3;
const RIEUL = 8; // the final ㄹ, which takes 로 rather than 으로
const DIGIT_FINAL = { 0: 1, 1: RIEUL, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: RIEUL, 8: RIEUL, 9: 0 };
const CAPITAL_FINAL = { L: RIEUL, M: 1, N: 1, R: RIEUL }; // a capital is read as a letter: el, em, en, ar
const WORD_FINAL = { l: RIEUL, m: 1, n: 1 }; // a lowercase letter ends a word: 모델, 민, 레이어
const SILENT_TAIL = /['")\]}>…. ]+$/;

function finalConsonant(text) {
  const last = text.slice(-1) || " ";
  const code = last.codePointAt(0);
  if (code >= HANGUL_FIRST && code <= HANGUL_LAST) return (code - HANGUL_FIRST) % 28;
  if (last in DIGIT_FINAL) return DIGIT_FINAL[last];
  return last !== last.toLowerCase() ? CAPITAL_FINAL[last] ?? 0 : WORD_FINAL[last] ?? 0;
}

/** josa("7×7", "이/가") -> "7×7이": the pair is "after a consonant/after a vowel". */
export function josa(word, pair) {
  const text = String(word);
  const [afterConsonant, afterVowel] = pair.split("/");
  const final = finalConsonant(text.replace(SILENT_TAIL, "") || text);
  if (afterConsonant === "으로") return text + (final && final !== RIEUL ? "으로" : "로");
  return text + (final ? afterConsonant : afterVowel);
}
