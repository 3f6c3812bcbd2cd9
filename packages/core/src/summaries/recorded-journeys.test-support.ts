import type { SummaryLine } from '../ports/summary-store.js';

/**
 * Recorded journeys as delivery writes them (one action line each, already redacted), with what a
 * summary must keep, written down by hand rather than derived by the code under test: every error
 * message and every page the lines name.
 */
export interface RecordedJourney {
  name: string;
  lines: SummaryLine[];
  expected: { errorMessages: string[]; pages: string[] };
}

function numbered(texts: string[]): SummaryLine[] {
  return texts.map((text, index) => ({ number: index + 1, text }));
}

export const recordedJourneys: RecordedJourney[] = [
  {
    name: 'checkout failure',
    lines: numbered([
      'Viewed the Pricing page (/pricing)',
      'Clicked "Start free trial" button on /pricing',
      'Viewed Sign up (/signup)',
      'Submitted the Sign up form on /signup',
      'Signed in',
      'Viewed Plans (/billing/plans)',
      'Clicked "Choose Pro" button on /billing/plans',
      'Viewed Checkout (/checkout)',
      'Changed the Country select on /checkout',
      'Submitted the Payment form on /checkout',
      'Saw an error on /checkout: CardError: "Card validation failed"',
      'Clicked "Pay now" button on /checkout',
      'Saw an error on /checkout: CardError: "Card validation failed"',
      'Rage-clicked "Pay now" button on /checkout',
      'Saw an error on /checkout: StripeError: "Your card was declined [redacted]"',
      'Viewed Help center (/help/payments)',
    ]),
    expected: {
      errorMessages: ['Card validation failed', 'Your card was declined [redacted]'],
      pages: ['/pricing', '/signup', '/billing/plans', '/checkout', '/help/payments'],
    },
  },
  {
    name: 'onboarding stall',
    lines: numbered([
      'Viewed Welcome (/onboarding/welcome)',
      'Clicked "Get started" button on /onboarding/welcome',
      'Viewed Create workspace (/onboarding/workspace)',
      'Submitted the Workspace form on /onboarding/workspace',
      'Viewed Invite teammates (/onboarding/invite)',
      'Clicked "Send invites" button on /onboarding/invite but nothing happened',
      'Clicked "Send invites" button on /onboarding/invite but nothing happened',
      'Rage-clicked "Send invites" button on /onboarding/invite',
      'Viewed Invite teammates (/onboarding/invite)',
      'Clicked "Skip for now" link on /onboarding/invite but nothing happened',
      'Viewed Dashboard (/dashboard)',
    ]),
    expected: {
      errorMessages: [],
      pages: ['/onboarding/welcome', '/onboarding/workspace', '/onboarding/invite', '/dashboard'],
    },
  },
  {
    name: 'export error',
    lines: numbered([
      'Viewed Reports (/reports)',
      'Changed the Date range select on /reports',
      'Clicked "Apply" button on /reports',
      'Viewed Revenue report (/reports/revenue)',
      'Clicked "Export CSV" button on /reports/revenue',
      'Export started (format: "csv", rows: "120000")',
      'Export failed (reason: "row limit exceeded")',
      'Saw an error on /reports/revenue: ExportError: "Export exceeds 100000 rows"',
      'Clicked "Export CSV" button on /reports/revenue',
      'Saw an error on /reports/revenue: ExportError: "Export exceeds 100000 rows"',
      'Viewed Exports (/settings/exports)',
    ]),
    expected: {
      errorMessages: ['row limit exceeded', 'Export exceeds 100000 rows'],
      pages: ['/reports', '/reports/revenue', '/settings/exports'],
    },
  },
  {
    name: 'permission denied',
    lines: numbered([
      'Signed in',
      'Viewed Team (/settings/team)',
      'Clicked "Invite member" button on /settings/team',
      'Saw an error on /settings/team: ForbiddenError: "You need the Admin role to invite members"',
      'Viewed Roles (/settings/roles)',
      'Clicked "Request access" button on /settings/roles',
      'Access requested (role: "admin")',
      'Viewed Team (/settings/team)',
      'Saw an error on /settings/team: "403 Forbidden"',
    ]),
    expected: {
      errorMessages: ['You need the Admin role to invite members', '403 Forbidden'],
      pages: ['/settings/team', '/settings/roles'],
    },
  },
  {
    name: 'password reset loop',
    lines: numbered([
      'Viewed Log in (/login)',
      'Submitted the Log in form on /login',
      'Saw an error on /login: AuthError: "Invalid email or password"',
      'Clicked "Forgot password?" link on /login',
      'Viewed Reset password (/password/reset)',
      'Submitted the Reset password form on /password/reset',
      'Viewed Check your inbox (/password/sent)',
      'Viewed Choose a new password (/password/new?token=[redacted])',
      'Submitted the New password form on /password/new',
      'Saw an error on /password/new: "Reset link expired"',
      'Viewed Log in (/login)',
    ]),
    expected: {
      errorMessages: ['Invalid email or password', 'Reset link expired'],
      pages: [
        '/login',
        '/password/reset',
        '/password/sent',
        '/password/new?token=[redacted]',
        '/password/new',
      ],
    },
  },
  {
    name: 'integration timeout',
    lines: numbered([
      'Viewed Integrations (/integrations)',
      'Clicked "Connect Salesforce" button on /integrations',
      'Viewed Salesforce (/integrations/salesforce)',
      'Clicked "Authorize" button on /integrations/salesforce',
      'Integration connection failed (provider: "salesforce", error: "OAuth callback timed out")',
      'Saw an error on /integrations/salesforce: TimeoutError: "Request to login.salesforce.com timed out after 30s"',
      'Clicked "Try again" button on /integrations/salesforce',
      'Saw an error on /integrations/salesforce: TimeoutError: "Request to login.salesforce.com timed out after 30s"',
    ]),
    expected: {
      errorMessages: ['OAuth callback timed out', 'Request to login.salesforce.com timed out after 30s'],
      pages: ['/integrations', '/integrations/salesforce'],
    },
  },
  {
    name: 'upload too large',
    lines: numbered([
      'Viewed Projects (/projects)',
      'Viewed Project (/projects/:id)',
      'Clicked "Upload" button on /projects/:id',
      'Changed the File input on /projects/:id',
      'Saw an error on /projects/:id: UploadError: "File is larger than 25 MB"',
      'Viewed Plans (/billing/plans)',
      'Viewed Project (/projects/:id)',
      'Clicked "Upload" button on /projects/:id',
      'Saw an error on /projects/:id: "Network error while uploading"',
    ]),
    expected: {
      errorMessages: ['File is larger than 25 MB', 'Network error while uploading'],
      pages: ['/projects', '/projects/:id', '/billing/plans'],
    },
  },
  {
    name: 'search dead end (long)',
    lines: numbered([
      ...Array.from({ length: 40 }, (_, index) =>
        index % 2 === 0
          ? `Viewed Docs page ${index} (/docs/article-${index})`
          : 'Searched (query: "[redacted]")',
      ),
      'Viewed Search (/search)',
      'Clicked "Contact support" button on /search but nothing happened',
      'Saw an error on /search: TypeError: "Cannot read properties of undefined (reading \'results\')"',
      'Viewed Contact (/contact)',
    ]),
    expected: {
      errorMessages: ["Cannot read properties of undefined (reading 'results')"],
      pages: [
        ...Array.from({ length: 20 }, (_, index) => `/docs/article-${index * 2}`),
        '/search',
        '/contact',
      ],
    },
  },
];
