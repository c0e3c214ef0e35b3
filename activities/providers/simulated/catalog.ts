import type { MarketType } from '../../../shared/entities';

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

export interface BookSpec {
  key: string;
  title: string;
  margin: number;
  delay: number;
  updateEvery: number;
  staleProb: number;
  mispriceProb: number;
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

export const SIM_BOOKS: readonly BookSpec[] = [
  {
    key: 'pinnacle',
    title: 'Pinnacle',
    margin: 0.02,
    delay: 0,
    updateEvery: 1,
    staleProb: 0,
    mispriceProb: 0,
    decimals: 3,
    sharp: true,
  },
  {
    key: 'draftkings',
    title: 'DraftKings',
    margin: 0.045,
    delay: 3,
    updateEvery: 2,
    staleProb: 0.04,
    mispriceProb: 0.004,
    decimals: 2,
    sharp: false,
  },
  {
    key: 'fanduel',
    title: 'FanDuel',
    margin: 0.048,
    delay: 4,
    updateEvery: 2,
    staleProb: 0.04,
    mispriceProb: 0.004,
    decimals: 2,
    sharp: false,
  },
  {
    key: 'williamhill_us',
    title: 'Caesars',
    margin: 0.05,
    delay: 5,
    updateEvery: 3,
    staleProb: 0.05,
    mispriceProb: 0.005,
    decimals: 2,
    sharp: false,
  },
  {
    key: 'betmgm',
    title: 'BetMGM',
    margin: 0.055,
    delay: 6,
    updateEvery: 3,
    staleProb: 0.06,
    mispriceProb: 0.005,
    decimals: 2,
    sharp: false,
  },
  {
    key: 'bovada',
    title: 'Bovada',
    margin: 0.065,
    delay: 9,
    updateEvery: 5,
    staleProb: 0.1,
    mispriceProb: 0.008,
    decimals: 2,
    sharp: false,
  },
];
