import type { MarketType } from '../../../shared/entities';
import { DEFAULT_BOOK_PARAMS, type SimBookParams } from './params';

// The simulated market's catalogue: its sports (teams, scoring model) and its books (margins, delays).

export interface SportSpec {
  key: string;
  title: string;
  kind: 'normal' | 'poisson';
  markets: readonly MarketType[];
  teams: readonly string[];
  /** normal kind: sd of the final margin and of the total, mean total around which events vary. */
  marginSd: number;
  totalMean: number;
  totalSpread: number;
  totalSd: number;
  /** Scales the latent drift and jumps (the soccer latent is a log goal ratio, more sensitive). */
  volatility: number;
  spacing: number;
  offset: number;
  open: number;
  game: number;
}

/** A book: who it is, plus its calibrated parameters (./params.ts; config may override them). */
export interface BookSpec extends SimBookParams {
  key: string;
  title: string;
  decimals: number;
  sharp: boolean;
}

const NFL = [
  'Arizona Cardinals',
  'Atlanta Falcons',
  'Baltimore Ravens',
  'Buffalo Bills',
  'Carolina Panthers',
  'Chicago Bears',
  'Cincinnati Bengals',
  'Cleveland Browns',
  'Dallas Cowboys',
  'Denver Broncos',
  'Detroit Lions',
  'Green Bay Packers',
  'Houston Texans',
  'Indianapolis Colts',
  'Jacksonville Jaguars',
  'Kansas City Chiefs',
  'Las Vegas Raiders',
  'Los Angeles Chargers',
  'Los Angeles Rams',
  'Miami Dolphins',
  'Minnesota Vikings',
  'New England Patriots',
  'New Orleans Saints',
  'New York Giants',
  'New York Jets',
  'Philadelphia Eagles',
  'Pittsburgh Steelers',
  'San Francisco 49ers',
  'Seattle Seahawks',
  'Tampa Bay Buccaneers',
  'Tennessee Titans',
  'Washington Commanders',
];
const NBA = [
  'Atlanta Hawks',
  'Boston Celtics',
  'Brooklyn Nets',
  'Charlotte Hornets',
  'Chicago Bulls',
  'Cleveland Cavaliers',
  'Dallas Mavericks',
  'Denver Nuggets',
  'Detroit Pistons',
  'Golden State Warriors',
  'Houston Rockets',
  'Indiana Pacers',
  'Los Angeles Clippers',
  'Los Angeles Lakers',
  'Memphis Grizzlies',
  'Miami Heat',
  'Milwaukee Bucks',
  'Minnesota Timberwolves',
  'New Orleans Pelicans',
  'New York Knicks',
  'Oklahoma City Thunder',
  'Orlando Magic',
  'Philadelphia 76ers',
  'Phoenix Suns',
  'Portland Trail Blazers',
  'Sacramento Kings',
  'San Antonio Spurs',
  'Toronto Raptors',
  'Utah Jazz',
  'Washington Wizards',
];
const EPL = [
  'Arsenal',
  'Aston Villa',
  'Bournemouth',
  'Brentford',
  'Brighton and Hove Albion',
  'Burnley',
  'Chelsea',
  'Crystal Palace',
  'Everton',
  'Fulham',
  'Leeds United',
  'Liverpool',
  'Manchester City',
  'Manchester United',
  'Newcastle United',
  'Nottingham Forest',
  'Sunderland',
  'Tottenham Hotspur',
  'West Ham United',
  'Wolverhampton Wanderers',
];
const NHL = [
  'Anaheim Ducks',
  'Boston Bruins',
  'Buffalo Sabres',
  'Calgary Flames',
  'Carolina Hurricanes',
  'Chicago Blackhawks',
  'Colorado Avalanche',
  'Columbus Blue Jackets',
  'Dallas Stars',
  'Detroit Red Wings',
  'Edmonton Oilers',
  'Florida Panthers',
  'Los Angeles Kings',
  'Minnesota Wild',
  'Montréal Canadiens',
  'Nashville Predators',
  'New Jersey Devils',
  'New York Islanders',
  'New York Rangers',
  'Ottawa Senators',
  'Philadelphia Flyers',
  'Pittsburgh Penguins',
  'San Jose Sharks',
  'Seattle Kraken',
  'St Louis Blues',
  'Tampa Bay Lightning',
  'Toronto Maple Leafs',
  'Utah Mammoth',
  'Vancouver Canucks',
  'Vegas Golden Knights',
  'Washington Capitals',
  'Winnipeg Jets',
];

export const SIM_SPORTS: readonly SportSpec[] = [
  {
    key: 'americanfootball_nfl',
    title: 'NFL',
    kind: 'normal',
    markets: ['h2h', 'spreads', 'totals'],
    teams: NFL,
    marginSd: 13.5,
    totalMean: 45,
    totalSpread: 5,
    totalSd: 10,
    volatility: 1,
    spacing: 30,
    offset: 0,
    open: 60,
    game: 75,
  },
  {
    key: 'basketball_nba',
    title: 'NBA',
    kind: 'normal',
    markets: ['h2h', 'spreads', 'totals'],
    teams: NBA,
    marginSd: 12,
    totalMean: 226,
    totalSpread: 8,
    totalSd: 18,
    volatility: 1,
    spacing: 25,
    offset: 7,
    open: 60,
    game: 60,
  },
  {
    key: 'soccer_epl',
    title: 'EPL',
    kind: 'poisson',
    markets: ['h2h', 'totals'],
    teams: EPL,
    marginSd: 0,
    totalMean: 2.7,
    totalSpread: 0.4,
    totalSd: 0,
    volatility: 0.6,
    spacing: 20,
    offset: 3,
    open: 60,
    game: 55,
  },
  {
    key: 'icehockey_nhl',
    title: 'NHL',
    kind: 'normal',
    markets: ['h2h', 'spreads', 'totals'],
    teams: NHL,
    marginSd: 2.4,
    totalMean: 6,
    totalSpread: 0.6,
    totalSd: 2.3,
    volatility: 1,
    spacing: 35,
    offset: 11,
    open: 60,
    game: 65,
  },
];

const BOOKS: readonly Omit<BookSpec, keyof SimBookParams>[] = [
  { key: 'pinnacle', title: 'Pinnacle', decimals: 3, sharp: true },
  { key: 'draftkings', title: 'DraftKings', decimals: 2, sharp: false },
  { key: 'fanduel', title: 'FanDuel', decimals: 2, sharp: false },
  { key: 'williamhill_us', title: 'Caesars', decimals: 2, sharp: false },
  { key: 'betmgm', title: 'BetMGM', decimals: 2, sharp: false },
  { key: 'bovada', title: 'Bovada', decimals: 2, sharp: false },
];

/** The books with their default parameters; SimulatedMarket applies the configured ones. */
export const SIM_BOOKS: readonly BookSpec[] = BOOKS.map((b) => ({ ...b, ...DEFAULT_BOOK_PARAMS[b.key]! }));
