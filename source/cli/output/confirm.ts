/** docker's "Are you sure you want to continue? [y/N]": only y or yes agrees; a closed stdin is a no. */
import { createInterface } from 'node:readline/promises';

export async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}
