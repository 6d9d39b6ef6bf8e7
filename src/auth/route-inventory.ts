import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Role } from '../users/user.entity.js';
import type { AuthMode } from '../auth-decorators/auth-mode.js';
import { AUTH_METADATA, PUBLIC_METADATA, ROLES_METADATA } from '../auth-decorators/auth.decorator.js';
import { FRESH_METADATA, type FreshDeclaration } from '../auth-decorators/fresh.decorator.js';

export interface RouteDeclaration {
  method: string;
  path: string;
  /** `public`, or the accepted mechanisms; `undecided` when nobody declared either. */
  protection: 'public' | 'undecided' | AuthMode[];
  roles: Role[];
  /** `@Fresh()`: `default` (AUTH_FRESH_MAX_AGE) or the route's own maximum age in seconds; absent when not fresh. */
  fresh?: 'default' | number;
}

function joinPath(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .flatMap((part) => (Array.isArray(part) ? part.slice(0, 1) : [part]))
    .filter((p): p is string => !!p);
  return `/${segments
    .map((s) => s.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;
}

/** Metadata on the handler wins over the controller's, as in the guard. */
function declared<T>(key: string, handler: object, controller: object): T | undefined {
  return (
    (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined)
  );
}

/**
 * Every route the app serves with its protection, read from the same metadata the global guard
 * reads. The route inventory test snapshots it, so a change of protection shows in review.
 */
export function routeInventory(
  app: INestApplication,
  globalPrefix: string,
  unprefixed: string[] = [],
): RouteDeclaration[] {
  const routes: RouteDeclaration[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const isPublic = declared<boolean>(PUBLIC_METADATA, handler, controller);
        const modes = declared<AuthMode[]>(AUTH_METADATA, handler, controller);
        const path = joinPath(base, Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined);
        const fresh = declared<FreshDeclaration>(FRESH_METADATA, handler, controller);
        routes.push({
          method: RequestMethod[method],
          path: unprefixed.includes(path.slice(1)) ? path : joinPath(globalPrefix, path),
          protection: isPublic ? 'public' : (modes ?? 'undecided'),
          roles: declared<Role[]>(ROLES_METADATA, handler, controller) ?? [],
          ...(fresh && !isPublic
            ? { fresh: fresh.maxAgeMs === undefined ? ('default' as const) : Math.floor(fresh.maxAgeMs / 1000) }
            : {}),
        });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** One line per route: `GET     /api/notes/:id   session|jwt`. */
export function formatInventory(routes: RouteDeclaration[]): string {
  return routes
    .map((r) => {
      const protection = Array.isArray(r.protection) ? r.protection.join('|') : r.protection;
      const roles = r.roles.length ? `  roles: ${r.roles.join(',')}` : '';
      const fresh = r.fresh === undefined ? '' : `  fresh${r.fresh === 'default' ? '' : `: ${r.fresh}s`}`;
      return `${r.method.padEnd(7)} ${r.path.padEnd(36)} ${protection}${roles}${fresh}`;
    })
    .join('\n');
}
