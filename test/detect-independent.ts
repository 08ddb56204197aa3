/**
 * A case set written apart from the generators the detector was tuned with: values taken
 * from the formats' own specifications and published example or reserved ranges (card
 * networks' test numbers, IBAN registry examples, BIP/EIP example addresses, RFC 5737 and
 * 3849 addresses, Ofcom's drama numbers, national numbering plans), names from many
 * languages, placed in text shaped like chat, tables, logs and forms; and at least 200
 * strings of support-tool UI that must stay readable. `⟦...⟧` marks the value in a case.
 * test/fixtures/detect-ocr.json holds the same cases as tesseract actually read them from
 * rendered text (scripts/ocr-damage.mjs).
 */
import { readFileSync } from 'node:fs';
import type { PiiType } from '../src/pii/types.js';
import type { DetectCase } from './detect-cases.js';

const CASES: Record<PiiType, string[]> = {
  email: [
    'From: ⟦maria.garcia+billing@example.org⟧',
    'Siobhan 10:42  my login is ⟦s.obrien@example.co.uk⟧ not the old one',
    '| 48213 | ⟦li.wei_88@example.cn⟧ | Verified |',
    'user ⟦kenji.watanabe@example.jp⟧ requested a password reset',
    'cc: ⟦compliance-team@example.net⟧',
    'Contact email  ⟦a.nowak@example.pl⟧',
    '2026-03-02T14:10:22Z INFO login ok email=⟦fatima.alsayed@example.ae⟧ ip=10.0.0.4',
    'please write to ⟦oluwaseun.adeyemi@example.ng⟧ instead',
    'Recipient ⟦bjorn.lindqvist@example.se⟧',
    'Reply-To: ⟦chloe.dubois@example.fr⟧',
  ],
  phone: [
    'Mobile  ⟦07700 900461⟧',
    'Siobhan: you can call me on ⟦+44 7700 900982⟧',
    '| Rahul Sharma | ⟦+91 98765 43210⟧ | Gold |',
    'callback requested to ⟦(202) 555-0147⟧ after 5pm',
    'Tel. ⟦030 901820⟧',
    'customer phone ⟦06 12 34 56 78⟧',
    'my number is ⟦0917 555 1234⟧ thanks',
    'Telefon ⟦0532 555 12 34⟧',
    'SMS sent to ⟦090-1234-5678⟧',
    'phone=⟦13800138000⟧ status=verified',
    'WhatsApp ⟦+55 11 91234-5678⟧',
    'Alt. number: ⟦0803 123 4567⟧',
  ],
  card_number: [
    'Card  ⟦4111 1111 1111 1111⟧  exp 12/28',
    'paid with ⟦5555 5555 5555 4444⟧ yesterday',
    '| Amex | ⟦3782 822463 10005⟧ | declined |',
    'chargeback on ⟦6011 1111 1111 1117⟧',
    'JCB ⟦3530 1113 3330 0000⟧',
    'Visa debit ⟦4000 0566 5566 5556⟧',
    'the card ⟦5200-8282-8282-8210⟧ was blocked',
    'pan=⟦4000056655665556⟧ result=approved',
    'Diners ⟦3056 9309 0259 04⟧',
    'UnionPay card ⟦6200 0000 0000 0005⟧',
  ],
  iban: [
    'IBAN  ⟦GB29 NWBK 6016 1331 9268 19⟧',
    'payout to ⟦DE89 3704 0044 0532 0130 00⟧ failed',
    '| SEPA | ⟦FR14 2004 1010 0505 0001 3M02 606⟧ | pending |',
    'beneficiary account ⟦ES91 2100 0418 4502 0005 1332⟧',
    'Bank account: ⟦NL91ABNA0417164300⟧',
    'transfer from ⟦IT60 X054 2811 1010 0000 0123 456⟧',
    'IBAN ⟦CH93 0076 2011 6238 5295 7⟧',
    'withdrawal to ⟦PL61 1090 1014 0000 0712 1981 2874⟧',
    'refund to ⟦BE68 5390 0754 7034⟧',
    'Konto ⟦AT61 1904 3002 3457 3201⟧',
  ],
  crypto_address: [
    'Deposit address  ⟦1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa⟧',
    'sent 0.5 BTC to ⟦3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy⟧',
    '| BTC | ⟦bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq⟧ | 3 conf |',
    'withdraw to ⟦bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4⟧',
    'ETH wallet ⟦0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed⟧',
    'the customer says ⟦0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359⟧ is theirs',
    'TRC20 ⟦TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7⟧',
    'XRP destination ⟦rN7n7otQDd6FczFgLdSqtcsAUxDkw6fzRH⟧',
    'from=⟦0x52908400098527886E0F7030069857D2E4169EE7⟧ chain=1',
    'LTC ⟦LaMT348PWRnrqeeWArpwQPbuanpXDZGEUz⟧',
  ],
  ip_address: [
    'Last login IP  ⟦203.0.113.195⟧',
    'session from ⟦198.51.100.14⟧ flagged',
    '| 2026-03-02 14:10 | ⟦192.0.2.44⟧ | Chrome |',
    'WARN geo mismatch remote_addr=⟦2001:db8:85a3::8a2e:370:7334⟧',
    'device ip ⟦10.42.0.7⟧',
    'blocked ⟦100.64.12.9⟧ after 5 attempts',
    'client ⟦fe80::1ff:fe23:4567:890a⟧',
    'IP: ⟦172.16.254.1⟧',
  ],
  money: [
    'Balance  ⟦€1.250,00⟧',
    'withdrawal of ⟦£3,400.50⟧ pending',
    '| Bitcoin | ⟦0.58213 BTC⟧ | $35,120.00 |',
    'deposit ⟦12 500,00 EUR⟧ received',
    'Total equity ⟦USD 7,821.33⟧',
    'she lost ⟦4.2 ETH⟧ in the scam',
    'available ⟦1,000,000.00 USDT⟧',
    'refund ⟦$ 950⟧ approved',
  ],
  national_id: [
    'SSN  ⟦219-09-9999⟧',
    'National Insurance ⟦QQ 12 34 56 C⟧',
    'NHS number ⟦943 476 5919⟧',
    'DNI ⟦12345678Z⟧',
    'Codice fiscale ⟦RSSMRA85T10A562S⟧',
    'Aadhaar ⟦2345 6789 0123⟧',
    'Passport no. ⟦X1234567⟧',
    'tax id ⟦078-05-1120⟧ on file',
    'ID document ⟦L01X00T47⟧ verified',
    'routing ⟦021000021⟧ account ⟦000123456789⟧',
  ],
  api_key: [
    'API key  ⟦sk_live_51HqLyjWDarjtT1zdp7dcAbC⟧',
    'aws_access_key_id=⟦AKIAIOSFODNN7EXAMPLE⟧',
    'token ⟦ghp_16C7e42F292c6912E7710c838347Ae178B4a⟧',
    'slack ⟦xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy⟧',
    'Authorization: ⟦Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U⟧',
    'maps key ⟦AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe⟧',
    'GITLAB_TOKEN=⟦glpat-xxxxxxxxxxxxxxxxxxxx⟧',
    'secret=⟦wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY⟧',
  ],
  person_name: [
    '⟦Siobhan O\'Brien⟧  10:42',
    'Hi ⟦Kenji⟧, thanks for waiting',
    'Thanks, ⟦Oluwaseun⟧',
    '| 48213 | ⟦Björn Lindqvist⟧ | Verified | Gold |',
    '⟦Zofia Wiśniewska⟧ joined the chat',
    'Dear ⟦Mr Mehmet Yılmaz⟧,',
    '⟦Rahul Sharma⟧: my withdrawal is stuck',
    'Customer  ⟦Fatima Al-Sayed⟧',
    'Assigned to you: ticket from ⟦Chloé Dubois⟧',
    '⟦Isabella Rossi⟧ · 2 min ago',
    'Hello ⟦Nguyen Van An⟧, your KYC is approved',
    'Account holder ⟦Ana Lúcia Ferreira⟧',
    '⟦Priya Natarajan⟧ (VIP)',
    'Good morning ⟦Tomasz⟧!',
    'From: ⟦Daniel Cohen⟧',
    'Regards, ⟦Emily Clarke⟧',
  ],
  postal_address: [
    'Address  ⟦221B Baker Street, London NW1 6XE⟧',
    'ship to ⟦10 Downing Street, London SW1A 2AA⟧',
    '⟦Hauptstraße 12, 10115 Berlin⟧',
    'lives at ⟦12 rue de la Paix, 75002 Paris⟧',
    '| ⟦Calle Mayor 10, 28013 Madrid⟧ | ES |',
    'Residence: ⟦Via Roma 15, 00184 Roma⟧',
    '⟦Damstraat 1, 1012 JS Amsterdam⟧',
    'billing ⟦1600 Pennsylvania Avenue NW, Washington, DC 20500⟧',
    'new address ⟦Flat 4, 27 Kings Road, Manchester M1 2AB⟧',
    'postcode ⟦EC1A 1BB⟧',
  ],
  date_of_birth: [
    'DOB  ⟦14/03/1987⟧',
    'Date of birth: ⟦3 March 1979⟧',
    'born ⟦1990-07-21⟧',
    'Geburtsdatum ⟦21.07.1990⟧',
    '| Rahul Sharma | ⟦1985-11-02⟧ | IN |',
    'birthday ⟦07/21/1990⟧',
  ],
};

/** Support-tool UI that must stay readable: menus, buttons, headers, statuses, product names, logs. */
export const UI_NEGATIVES = [
  'Dashboard', 'Tickets', 'Customers', 'Reports', 'Settings', 'Help Center', 'Sign out', 'My queue', 'All tickets', 'Unassigned',
  'Open', 'Pending', 'Solved', 'Closed', 'On hold', 'Escalated', 'Urgent', 'High', 'Normal', 'Low',
  'New ticket', 'Reply', 'Reply all', 'Forward', 'Internal note', 'Public reply', 'Macros', 'Apply macro', 'Submit as open', 'Submit as solved',
  'Assignee', 'Requester', 'Subject', 'Priority', 'Status', 'Created', 'Updated', 'Due date', 'Tags', 'Channel',
  'Account overview', 'Verification level', 'KYC status', 'Risk score', 'Trading volume', 'Open orders', 'Order history', 'Trade history', 'Deposits', 'Withdrawals',
  'Deposit', 'Withdraw', 'Transfer', 'Convert', 'Buy crypto', 'Sell crypto', 'Spot', 'Margin', 'Futures', 'Earn',
  'Staking', 'Launchpad', 'Copy trading', 'Trading bots', 'Market overview', 'Top gainers', 'Top losers', 'New listings', 'Watchlist', 'Favorites',
  'Order type', 'Limit', 'Market', 'Stop limit', 'Post only', 'Reduce only', 'Time in force', 'Good till cancelled', 'Immediate or cancel', 'Fill or kill',
  'Cancel all', 'Confirm', 'Cancel', 'Save changes', 'Discard', 'Edit profile', 'Change password', 'Enable 2FA', 'Disable withdrawals', 'Freeze account',
  'Unfreeze account', 'Reset 2FA', 'Resend email', 'Send verification code', 'Verify identity', 'Upload document', 'Proof of address', 'Selfie check', 'Liveness check', 'Document expired',
  'Approved', 'Rejected', 'Under review', 'Awaiting customer', 'Awaiting compliance', 'Compliance hold', 'AML alert', 'Sanctions screening', 'Travel rule', 'Source of funds',
  'Grace period', 'Rose gold', 'Mark as read', 'Mark as unread', 'Will open in a new tab', 'Chase payment', 'Amber alert', 'Summer campaign', 'Victoria release notes', 'Jordan Brand partnership',
  'Network fee', 'Processing time', 'Minimum withdrawal', 'Daily limit', 'Remaining limit', 'Fee schedule', 'VIP tier', 'Referral program', 'Affiliate dashboard', 'API management',
  'Create API key', 'Delete API key', 'IP whitelist', 'Login history', 'Device management', 'Active sessions', 'Security center', 'Anti-phishing code', 'Withdrawal whitelist', 'Address book',
  'Search customers...', 'Filter by status', 'Sort by date', 'Export CSV', 'Download PDF', 'Print', 'Refresh', 'Load more', 'Show details', 'Hide details',
  'Showing 1-25 of 340', 'Page 3 of 12', 'Rows per page: 25', 'Last updated 2 min ago', 'Synced just now', 'Connection lost, retrying...', 'All systems operational', 'Maintenance scheduled for Sunday', 'Release 4.12.3', 'Build 2026.11.3 (771)',
  'Zendesk', 'Intercom', 'Salesforce Service Cloud', 'Freshdesk', 'Google Chrome 126.0.6478.126', 'Mozilla Firefox 128.0', 'Windows 11 Pro', 'macOS Sonoma 14.5', 'Ubuntu 22.04 LTS', 'Slack desktop 4.38.125',
  'Ticket #48213', 'Order ORD-778812', 'Case CS-2026-0042', 'Incident INC0012345', 'Request REQ-99812', 'Invoice INV-2026-0042', 'Batch B-7781', 'Job 3f2a9c', 'Trace id 7b1e', 'Span 0x3fa2',
  'INFO health check ok', 'WARN slow query 1200ms', 'ERROR timeout after 30s', 'DEBUG cache hit ratio 0.93', 'INFO worker 3 started', 'GET /api/v2/orders 200 12ms', 'POST /api/v2/withdrawals 202', 'pod web-7d9f8 ready', 'node eu-west-1a', 'deploy #1284 succeeded',
  'CPU 73%', 'Memory 2.1 GB', 'Disk 81%', 'Latency p99 220 ms', 'Uptime 99.95%', 'Queue depth 42', 'Error rate 0.3%', 'Requests 12k/min', 'Cache 4.2 GB', 'Threads 128',
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'January 2026', 'Q3 2026 report', 'Last 7 days', 'Last 30 days', 'Year to date',
  'Customer satisfaction', 'First response time', 'Resolution time', 'Tickets solved', 'Backlog', 'SLA breached', 'SLA 4h', 'Agent workload', 'Team performance', 'Knowledge base',
  'How do I reset my password?', 'Why is my withdrawal pending?', 'Supported networks', 'Deposit not credited', 'Wrong network deposit', 'Lost 2FA device', 'Account locked', 'Verify your email', 'Update your app', 'Contact support',
];

/** The cases as DetectCase: each ⟦value⟧ becomes a case of its entity; UI strings are negatives. */
export function independentCases(): DetectCase[] {
  const out: DetectCase[] = [];
  for (const [entity, lines] of Object.entries(CASES) as Array<[PiiType, string[]]>) {
    for (const line of lines) {
      const text = line.replace(/[⟦⟧]/g, '');
      // One case per marked value (a line may hold two); an unmarked line is a context-only case.
      let offset = 0;
      const marks = [...line.matchAll(/⟦([^⟧]*)⟧/g)];
      for (const m of marks) {
        const start = m.index - offset;
        out.push({ entity, damaged: false, text, value: [start, start + m[1].length] });
        offset += 2;
      }
    }
  }
  for (const text of UI_NEGATIVES) out.push({ entity: 'none', damaged: false, text });
  return out;
}

/** The independent set: clean as written, and damaged as tesseract read it (the fixture file). */
export function independentWithOcr(fixture: string): DetectCase[] {
  const read = JSON.parse(readFileSync(fixture, 'utf8')) as { cases: Array<{ entity: DetectCase['entity']; text: string; value?: [number, number] }> };
  const damaged = read.cases.map((c) => ({ entity: c.entity, damaged: true, text: c.text, value: c.value }));
  return [...independentCases(), ...damaged];
}
