import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth-decorators/index.js';
import { JwksResponse } from './dto/jwks.response.js';
import { SigningKeys, type PublicJwk } from './signing-keys.js';

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
