import { Controller, Get, Module, type Type } from '@nestjs/common';

/**
 * A module with one controller someone added without deciding its protection: `GET /api/<path>`
 * answers `{hello: 'world'}` and carries neither `@Auth` nor `@Public`.
 */
export function undecidedRouteModule(path: string): Type {
  @Controller(path)
  class UndecidedController {
    @Get()
    hello() {
      return { hello: 'world' };
    }
  }

  @Module({ controllers: [UndecidedController] })
  class UndecidedModule {}
  return UndecidedModule;
}
