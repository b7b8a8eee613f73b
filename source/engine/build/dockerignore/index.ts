export { readDockerignore, loadIgnoreFile, type IgnoreFile } from './read-dockerignore.js';
export { PatternMatcher, matchesPatterns, type MatchInfo, type Pattern } from './pattern-matcher.js';
export {
  walkContext,
  withBuildFilesIncluded,
  type ContextEntry,
  type WalkContextOptions,
} from './context-walker.js';
export { DockerignorePatternError } from './dockerignore-errors.js';
export { goPathMatch, BadPatternError } from './go-path-match.js';
