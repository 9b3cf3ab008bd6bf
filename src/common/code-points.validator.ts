import { ValidationOptions, registerDecorator } from 'class-validator';

/** Counts Unicode code points, the way the contract measures text (an emoji counts once). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export function CodePointLength(min: number, max: number, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'codePointLength',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be ${min} to ${max} characters`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && codePointLength(value) >= min && codePointLength(value) <= max,
      },
    });
}

export const MaxCodePoints = (max: number, options?: ValidationOptions) => CodePointLength(0, max, options);
