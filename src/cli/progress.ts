/**
 * Live progress on stderr. On a terminal: one line per item, redrawn in place, with a spinner while
 * something polls. Elsewhere (CI logs, pipes): a line each time an item's text changes.
 */
export class ProgressView {
  private lines: string[] = [];
  private frame = 0;
  private readonly tty: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Shows `lines` (one per step); `active` lines get the spinner. */
  update(lines: { text: string; active: boolean }[]): void {
    if (!this.tty) {
      lines.forEach((line, i) => {
        if (this.lines[i] !== line.text) this.stream.write(`${line.text}\n`);
      });
      this.lines = lines.map((l) => l.text);
      return;
    }
    const spinner = SPINNER[this.frame++ % SPINNER.length]!;
    if (this.lines.length > 0) this.stream.write(`\x1b[${this.lines.length}F`);
    for (const line of lines) this.stream.write(`\x1b[2K${line.active ? spinner : ' '} ${line.text}\n`);
    this.lines = lines.map((l) => l.text);
  }

  /** Prints a message above the live lines. */
  note(message: string): void {
    this.stream.write(`${message}\n`);
    if (this.tty) this.lines = [];
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
