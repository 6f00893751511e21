/**
 * Log lines quote what clients chose (display names, message types, chat): a newline or a terminal
 * escape in such a value must not forge a second log line or repaint the operator's terminal.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** The text with every control character written as a visible escape (\n, \u001b, …). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (char) => {
    if (char === "\n") return "\\n";
    if (char === "\r") return "\\r";
    if (char === "\t") return "\\t";
    return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A log function whose every call is one line, however the text was put together. */
export function singleLines(print: (line: string) => void): (line: string) => void {
  return (line) => print(escapeControl(line));
}
