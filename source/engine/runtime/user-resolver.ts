/**
 * docker's USER semantics: `name|uid[:group|gid]`, looked up in the image's own /etc/passwd and
 * /etc/group (read inside the rootfs, never the host's). Supplementary groups are those that list
 * the user by name, as runc's GetExecUser does.
 */
import { BerthError } from '../errors/index.js';
import type { OciUser } from './oci-spec.js';
import { readFileInRoot } from './path-in-root.js';

export class UserNotFoundError extends BerthError {
  constructor(message: string) {
    super('USER_NOT_FOUND', message, 125);
  }
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function parseColonFile(text: string | undefined): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  return parseColonFile(text)
    .filter((fields) => fields.length >= 4)
    .map((fields) => ({
      name: fields[0] ?? '',
      uid: Number(fields[2]),
      gid: Number(fields[3]),
      home: fields[5] || '/',
    }))
    .filter((entry) => Number.isInteger(entry.uid) && Number.isInteger(entry.gid));
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  return parseColonFile(text)
    .filter((fields) => fields.length >= 3)
    .map((fields) => ({
      name: fields[0] ?? '',
      gid: Number(fields[2]),
      members: (fields[3] ?? '').split(',').filter(Boolean),
    }))
    .filter((entry) => Number.isInteger(entry.gid));
}

const isNumeric = (value: string): boolean => /^\d+$/.test(value);

export interface ResolvedUser extends OciUser {
  home: string;
}

/** Resolves `spec` (docker's --user / USER) against the passwd and group text of the image. */
export function resolveUserFrom(spec: string, passwdText?: string, groupText?: string): ResolvedUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  let uid = 0;
  let gid = 0;
  let name: string | undefined = 'root';
  let home = '/';
  if (userPart !== '') {
    const entry = passwd.find((user) =>
      isNumeric(userPart) ? user.uid === Number(userPart) : user.name === userPart,
    );
    if (entry) {
      ({ uid, gid, name, home } = entry);
    } else if (isNumeric(userPart)) {
      uid = Number(userPart);
      name = undefined;
    } else {
      throw new UserNotFoundError(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  } else {
    const rootEntry = passwd.find((user) => user.uid === 0);
    if (rootEntry) home = rootEntry.home;
  }
  if (groupPart !== undefined && groupPart !== '') {
    const entry = groups.find((group) =>
      isNumeric(groupPart) ? group.gid === Number(groupPart) : group.name === groupPart,
    );
    if (entry) gid = entry.gid;
    else if (isNumeric(groupPart)) gid = Number(groupPart);
    else throw new UserNotFoundError(`unable to find group ${groupPart}: no matching entries in group file`);
  }
  // An explicit group replaces the supplementary list, as docker does.
  const additionalGids =
    groupPart === undefined && name !== undefined
      ? [
          ...new Set(
            groups.filter((group) => group.members.includes(name as string)).map((group) => group.gid),
          ),
        ].filter((value) => value !== gid)
      : [];
  return { uid, gid, additionalGids, home };
}

export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([
    readFileInRoot(rootfs, '/etc/passwd'),
    readFileInRoot(rootfs, '/etc/group'),
  ]);
  return resolveUserFrom(spec, passwd, group);
}
