import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, Public, type AuthUser } from '../auth-decorators/index.js';
import { ViaResponse, WhoResponse } from './dto/who.response.js';

/** One route per protection declaration, to try each from Swagger or curl. */
@ApiTags('examples')
@Controller('examples')
export class ExamplesController {
  @Get('public')
  @Public()
  public(): ViaResponse {
    return { via: null };
  }

  @Get('session-only')
  @Auth(AuthMode.Session)
  sessionOnly(@CurrentUser() user: AuthUser): WhoResponse {
    return { userId: user.id, via: user.via };
  }

  @Get('jwt-only')
  @Auth(AuthMode.Jwt)
  jwtOnly(@CurrentUser() user: AuthUser): WhoResponse {
    return { userId: user.id, via: user.via };
  }

  @Get('either')
  @Auth(AuthMode.Session, AuthMode.Jwt)
  either(@CurrentUser() user: AuthUser): WhoResponse {
    return { userId: user.id, via: user.via };
  }
}
