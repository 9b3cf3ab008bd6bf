import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { TOKEN_ALGORITHM, TokenService } from './token.service';

@Module({
  imports: [
    UsersModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // One KeyObject for the life of the process. Given the secret as a string, jsonwebtoken
        // first tries to parse it as a PEM public key on every verify and catches the failure:
        // a quarter of the API's CPU when serving home timelines (npm run load --profile).
        const key = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
        // HS256 pinned both ways: verify never lets the token's own header choose the algorithm.
        return {
          secretOrKeyProvider: () => key,
          signOptions: { algorithm: TOKEN_ALGORITHM, expiresIn: config.jwtExpiresInSec },
          verifyOptions: { algorithms: [TOKEN_ALGORITHM] },
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, TokenService, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [TokenService],
})
export class AuthModule {}
