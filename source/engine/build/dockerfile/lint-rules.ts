/**
 * The build checks `docker build --check` reports as warnings (BuildKit's linter rules), for the
 * rules that need no image metadata or variable expansion. Messages follow BuildKit's wording.
 */
import type { Node, ParsedDockerfile } from './ast.js';
import type { DockerfileInstructions, Instruction, Stage } from './instruction-types.js';

export interface LintFinding {
  rule: string;
  message: string;
  line: number;
  endLine: number;
}

export function ruleUrl(rule: string): string {
  const kebab = rule.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
  return `https://docs.docker.com/go/dockerfile/rule/${kebab}/`;
}

const at = (rule: string, message: string, where: { line: number; endLine: number }): LintFinding => ({
  rule,
  message,
  line: where.line,
  endLine: where.endLine,
});

const predefinedArgs = new Set([
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
]);

function casingFindings(children: readonly Node[]): LintFinding[] {
  const findings: LintFinding[] = [];
  const all = children.flatMap((node) => (node.child ? [node, node.child] : [node]));
  const upper = all.filter((node) => node.keyword === node.keyword.toUpperCase()).length;
  const lower = all.filter((node) => node.keyword === node.keyword.toLowerCase()).length;
  const majorityUpper = upper >= lower;
  for (const node of all) {
    const expected = majorityUpper ? node.keyword.toUpperCase() : node.keyword.toLowerCase();
    if (node.keyword !== expected) {
      findings.push(
        at(
          'ConsistentInstructionCasing',
          `Command '${node.keyword}' should match the case of the command majority (${majorityUpper ? 'uppercase' : 'lowercase'})`,
          { line: node.startLine, endLine: node.endLine },
        ),
      );
    }
  }
  return findings;
}

function fromFindings(node: Node, stage: Stage, metaArgNames: Set<string>): LintFinding[] {
  const findings: LintFinding[] = [];
  const where = { line: node.startLine, endLine: node.endLine };
  const asWord = node.args[1];
  const written = node.args[2];
  if (asWord !== undefined && written !== undefined) {
    if (written !== written.toLowerCase()) findings.push(at('StageNameCasing', `Stage name '${written}' should be lowercase`, where));
    const fromUpper = node.keyword === node.keyword.toUpperCase();
    const fromLower = node.keyword === node.keyword.toLowerCase();
    if ((fromUpper && asWord !== asWord.toUpperCase()) || (fromLower && asWord !== asWord.toLowerCase())) {
      findings.push(at('FromAsCasing', `'${node.keyword}' and '${asWord}' keywords' casing do not match`, where));
    }
  }
  if (stage.name === 'scratch' || stage.name === 'context') {
    findings.push(at('ReservedStageName', `Stage name should not use the same name as reserved stage "${stage.name}"`, where));
  }
  for (const match of stage.from.image.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = match[1] ?? '';
    if (!metaArgNames.has(name) && !predefinedArgs.has(name)) {
      findings.push(at('UndefinedArgInFrom', `FROM argument '${name}' is not declared`, where));
    }
  }
  return findings;
}

function stageFindings(stage: Stage): LintFinding[] {
  const findings: LintFinding[] = [];
  const counts = new Map<string, Instruction[]>();
  let shellChanged = false;
  let workdirSet = false;
  for (const instruction of stage.instructions) {
    const where = { line: instruction.line, endLine: instruction.endLine };
    if (instruction.kind === 'CMD' || instruction.kind === 'ENTRYPOINT' || instruction.kind === 'HEALTHCHECK') {
      counts.set(instruction.kind, [...(counts.get(instruction.kind) ?? []), instruction]);
    }
    switch (instruction.kind) {
      case 'SHELL':
        shellChanged = true;
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        if (instruction.form === 'shell' && !shellChanged) {
          findings.push(
            at('JSONArgsRecommended', `JSON arguments recommended for ${instruction.kind} to prevent unintended behavior related to OS signals`, where),
          );
        }
        break;
      case 'MAINTAINER':
        findings.push(at('MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', where));
        break;
      case 'WORKDIR':
        if (!workdirSet && !instruction.path.startsWith('/') && !instruction.path.includes('$')) {
          findings.push(at('WorkdirRelativePath', `Relative workdir "${instruction.path}" can have unexpected results if the base image changes`, where));
        }
        workdirSet = true;
        break;
      case 'EXPOSE':
        for (const port of instruction.ports) {
          if (port.includes(':')) {
            findings.push(at('ExposeInvalidFormat', `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`, where));
          }
          const proto = port.split('/')[1];
          if (proto !== undefined && proto !== proto.toLowerCase()) {
            findings.push(at('ExposeProtoCasing', `Defined protocol '${port}' in EXPOSE instruction should be lowercase`, where));
          }
        }
        break;
      default:
        break;
    }
    if ((instruction.kind === 'ENV' || instruction.kind === 'LABEL') && instruction.legacy) {
      findings.push(
        at('LegacyKeyValueFormat', `"${instruction.kind} key=value" should be used instead of legacy "${instruction.kind} key value" format`, where),
      );
    }
  }
  for (const [kind, list] of counts) {
    for (const instruction of list.slice(0, -1)) {
      findings.push(
        at('MultipleInstructionsDisallowed', `Multiple ${kind} instructions should not be used in the same stage because only the last one will be used`, {
          line: instruction.line,
          endLine: instruction.endLine,
        }),
      );
    }
  }
  return findings;
}

/** Lint warnings for a Dockerfile whose instructions parsed (partially, when some failed). */
export function lintDockerfile(ast: ParsedDockerfile, instructions: DockerfileInstructions): LintFinding[] {
  const findings: LintFinding[] = ast.warnings.map((warning) => ({
    rule: warning.rule,
    message: 'Empty continuation line',
    line: warning.line,
    endLine: warning.line,
  }));
  findings.push(...casingFindings(ast.children));
  const metaArgNames = new Set(instructions.metaArgs.flatMap((arg) => arg.args.map((definition) => definition.name)));
  for (const stage of instructions.stages) {
    const node = ast.children.find((child) => child.startLine === stage.from.line);
    if (node) findings.push(...fromFindings(node, stage, metaArgNames));
    findings.push(...stageFindings(stage));
  }
  return findings.sort((a, b) => a.line - b.line);
}
