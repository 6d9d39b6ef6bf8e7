import { ValidationPipe, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

/**
 * The one validation pipe. Bodies are strict: an unknown field is a 400, so a typo or a field
 * a client may not set (`roles`) never passes silently. Query strings are lenient the same way
 * everywhere: unknown parameters (cache busters, tracking tags) are dropped, not refused.
 */
export class AppValidationPipe implements PipeTransform {
  private readonly strict = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  private readonly lenient = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: false, transform: true });

  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    return (metadata.type === 'query' ? this.lenient : this.strict).transform(value, metadata);
  }
}
