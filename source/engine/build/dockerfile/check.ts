/**
 * `berth build --check`: parse and validate without building, and report every problem with its
 * line rather than stopping at the first, as `docker build --check` does. Errors are what would
 * fail a build; warnings are BuildKit's build checks, filtered by a `# check=skip=…` directive
 * and promoted to errors by `# check=error=true`.
 */
import type { ParsedDockerfile } from './ast.js';
import { findDirectiveValue } from './directives.js';
import { DockerfileSyntaxError } from './errors.js';
import { goQuote } from '../../util/go-quote.js';
import { collectInstructions } from './instructions.js';
import { lintDockerfile, ruleUrl } from './lint-rules.js';
import { parseDockerfile } from './parser.js';

export interface DockerfileProblem {
  file: string;
  line: number;
  endLine: number;
  severity: 'error' | 'warning';
  /** The build-check rule for warnings (`JSONArgsRecommended`); absent for plain syntax errors. */
  rule?: string;
  message: string;
  /** Documentation for the rule. */
  url?: string;
}

export interface CheckResult {
  /** No errors (warnings allowed, unless `# check=error=true`). */
  ok: boolean;
  problems: DockerfileProblem[];
}

interface CheckConfig {
  skip: Set<string>;
  skipAll: boolean;
  error: boolean;
}

/** `# check=skip=RuleA,RuleB;error=true`. */
export function parseCheckDirective(value: string | undefined): CheckConfig {
  const config: CheckConfig = { skip: new Set(), skipAll: false, error: false };
  if (!value) return config;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq < 0 ? part.length : eq).trim().toLowerCase();
    const setting = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (key === 'skip') {
      for (const rule of setting.split(',').map((name) => name.trim())) {
        if (rule.toLowerCase() === 'all') config.skipAll = true;
        else if (rule !== '') config.skip.add(rule);
      }
    } else if (key === 'error') {
      config.error = setting.toLowerCase() === 'true';
    }
  }
  return config;
}

export function checkDockerfile(text: string, file = 'Dockerfile'): CheckResult {
  let ast: ParsedDockerfile;
  try {
    ast = parseDockerfile(text, { file });
  } catch (error) {
    if (!(error instanceof DockerfileSyntaxError)) throw error;
    // The parser cannot resynchronise after a syntax error, so this is the only problem it can report.
    return {
      ok: false,
      problems: [{ file, line: error.line, endLine: error.endLine, severity: 'error', message: error.detail }],
    };
  }
  const problems: DockerfileProblem[] = [];
  const { result, problems: instructionProblems } = collectInstructions(ast.children);
  for (const { line, endLine, message } of instructionProblems) problems.push({ file, line, endLine, severity: 'error', message });

  const seen = new Map<string, number>();
  for (const stage of result.stages) {
    if (stage.name === undefined) continue;
    const earlier = seen.get(stage.name);
    if (earlier !== undefined) {
      problems.push({
        file,
        line: stage.from.line,
        endLine: stage.from.endLine,
        severity: 'error',
        rule: 'DuplicateStageName',
        message: `duplicate stage name ${goQuote(stage.name)} (first defined on line ${earlier})`,
        url: ruleUrl('DuplicateStageName'),
      });
    } else {
      seen.set(stage.name, stage.from.line);
    }
  }
  if (result.stages.length === 0 && instructionProblems.length === 0) {
    problems.push({ file, line: ast.endLine, endLine: ast.endLine, severity: 'error', message: 'dockerfile contains no stages to build' });
  }

  const config = parseCheckDirective(findDirectiveValue('check', text)?.cmdline);
  if (!config.skipAll) {
    for (const finding of lintDockerfile(ast, result)) {
      if (config.skip.has(finding.rule)) continue;
      const { line, endLine, rule, message } = finding;
      problems.push({ file, line, endLine, severity: config.error ? 'error' : 'warning', rule, message, url: ruleUrl(rule) });
    }
  }
  problems.sort((a, b) => a.line - b.line || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return { ok: !problems.some((problem) => problem.severity === 'error'), problems };
}
