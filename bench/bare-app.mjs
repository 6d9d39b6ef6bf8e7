// The reference the service is measured against: a bare NestJS / Express app from the same Nest
// packages, with one public GET route under the same prefix and Nest's defaults (Express's ETag,
// no helmet, no logging middleware). Started by bench/run.ts with PORT; plain JavaScript with the
// decorators applied by hand, so it runs without a compile step or a loader.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

class PublicController {
  public() {
    return { via: null };
  }
}
Get('public')(
  PublicController.prototype,
  'public',
  Object.getOwnPropertyDescriptor(PublicController.prototype, 'public'),
);
Controller('examples')(PublicController);

class BareModule {}
Module({ controllers: [PublicController] })(BareModule);

const app = await NestFactory.create(BareModule, { logger: ['error', 'warn'] });
app.setGlobalPrefix('api');
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT), '127.0.0.1');
