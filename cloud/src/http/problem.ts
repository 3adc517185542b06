/**
 * Errors as RFC 9457 problem documents (`application/problem+json`): a stable `type`
 * per kind of problem, the HTTP `title`, and a `detail` that says what and where.
 */
import type { FastifyReply } from 'fastify';
import { formatMessage } from '../messages/catalog.js';
import type { Message } from '@gridsafe/shared';
import { json } from './schemas.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** For validation problems: each failing field, with its words as a catalogue message. */
  errors?: Array<{ where: string; message: string; text?: Message }>;
  /** The detail as a catalogue message (messages/catalog.ts), for readers of either language. */
  message?: Message;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The English text of a detail given as a string or a catalogue message. */
export function englishDetail(detail: string | Message): string {
  return typeof detail === 'string' ? detail : formatMessage(detail, 'en');
}

/** "{what} {id} does not exist", for anything a request names that is not there. */
export const notFound = (what: string, id: string): Message => ({ code: 'problem.not_found', params: { what, id } });

export class HttpProblem extends Error {
  /** The detail as a catalogue message, when it was given as one. */
  readonly text: Message | undefined;
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string | Message,
    readonly errors?: Problem['errors'],
    /** The catalogue message of a detail given as English words with more in them than the message. */
    text?: Message,
  ) {
    super(englishDetail(detail));
    this.name = 'HttpProblem';
    this.text = typeof detail === 'string' ? text : detail;
  }
}

export function problemOf(
  status: number,
  code: string,
  detail: string,
  instance?: string,
  errors?: Problem['errors'],
  message?: Message,
): Problem {
  const problem: Problem = { type: `urn:gridsafe:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail };
  if (instance) problem.instance = instance;
  if (errors && errors.length > 0) problem.errors = errors;
  if (message) problem.message = message;
  return problem;
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

const messageSchema = {
  type: 'object',
  properties: { code: json.string, params: json.object },
} as const;

/** The OpenAPI schema of a problem document, referenced by every route's error responses. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  properties: {
    type: json.string,
    title: json.string,
    status: json.integer,
    detail: json.string,
    instance: json.string,
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { where: json.string, message: json.string, text: messageSchema },
      },
    },
    message: messageSchema,
  },
  required: ['type', 'title', 'status', 'detail'],
} as const;
