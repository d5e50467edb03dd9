// Reads GIFT on stdin, prints what gift-pegjs parses it into as JSON (the tests compare it with
// the bank). A syntax error prints {"error": message, "line": n} and exits 1.
const { parse } = require("gift-pegjs");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  try {
    process.stdout.write(JSON.stringify(parse(input)));
  } catch (e) {
    const line = e.location ? e.location.start.line : null;
    process.stdout.write(JSON.stringify({ error: String(e.message), line: line }));
    process.exitCode = 1;
  }
});
