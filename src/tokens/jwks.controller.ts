import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth-decorators/index.js';
import { SigningKeys, type PublicJwk } from './signing-keys.js';

export class JwksResponse {
  /** Public keys (current first, then retired ones still accepted). Empty with HS256. */
  keys: object[];
}

/** Public keys for other services to verify access tokens without any secret. */
@ApiTags('tokens')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly signingKeys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300, must-revalidate')
  @ApiOkResponse({ type: JwksResponse })
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.signingKeys.jwks };
  }
}
