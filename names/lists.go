package names

import "strings"

// particles join a surname to the words before it (de la Cruz, van der
// Berg, Ortega y Gasset); they are kept apart and never compared alone.
var particles = set("de del la las los y e da das do dos di du van von der den ten ter le")

// noise are titles and suffixes that say nothing about who a person is.
var noise = set("jr sr sra srta dr dra mr mrs ms lic ing ii iii iv")

// givenNames are common given names (folded). Two different names from this
// list are different names, however alike they are spelled (María, Marta);
// a word outside it that is one letter off a name is taken for a typo. The
// list also tells a second given name from a first surname in "Juan Carlos
// Pérez".
var givenNames = set(`
aaron abel abigail abraham adan adela adolfo adrian adriana agustin aida alan alba alberto alejandra alejandro
alexis alfonso alfredo alicia alma alvaro amalia amanda amparo ana andrea andres angel angela angeles angelica
anibal antonia antonio araceli ariel armando arturo aurora barbara beatriz benito benjamin berta blanca brenda
bruno camila camilo candelaria carina carla carlos carlota carmen carolina catalina cecilia celia cesar claudia
claudio clara concepcion consuelo cristian cristina cristobal daniel daniela dario david debora diana diego dolores
domingo dora eduardo elena elias elisa eloy elsa elvira emilia emilio emma enrique erika ernesto esperanza esteban
estela ester eugenia eugenio eva fabian fabiola federico felipe felix fernanda fernando fidel flor francisca
francisco gabriel gabriela gerardo german gilberto gloria gonzalo graciela gregorio guadalupe guillermo gustavo
hector hilda hugo ignacio ines irene iris irma isaac isabel ismael ivan jacinto jaime javier jesus jimena joaquin
jorge jose josefina juan juana julia julian juliana julio karina karla laura leonardo leticia lidia liliana lina
lorena lorenzo lourdes lucas lucia luis luisa luz manuel manuela marco marcos margarita maria mariana mariano
marina mario marisol marta martin mateo matias mauricio maximo mercedes miguel milagros miriam moises monica
nancy natalia nelson nicolas noemi nora norma octavio olga omar oscar pablo paola patricia paula paulina pedro
pilar rafael ramiro ramon raquel raul rebeca ricardo roberto rocio rodolfo rodrigo rogelio rolando rosa rosalia
rosario ruben ruth salvador samuel sandra santiago sara saul sebastian sergio silvia sofia sonia soledad susana
tania teresa tomas ulises valentina valeria vanesa vicente victor victoria virginia walter wilfredo ximena
yesenia yolanda zoila
abril agustina alba alexa alondra amelia america anahi angelina antonella ariadna azucena belen bertha brisa
candela carmela celeste cintia cinthia clemencia consuelo cristal dalia daisy dayana delia denisse dulce edith
elsa estefania estrella eunice evelyn fatima flora florencia gisela gladys gracia guillermina hortensia ivonne
jazmin jessica joana josefa judith karen lilia linda lizbeth lola lucero lupita magdalena maite marcela maribel
mariela marilu maritza martina micaela mirna nadia nayeli nelly nidia olivia perla pia regina reyna rita romina
rosalba rosaura sabrina selena silvana sonia tatiana trinidad vanessa veronica vilma viviana wendy xochitl yadira
yazmin yessica zulema
abelardo adalberto adrian alberto alexander alonso amado anselmo apolinar aquiles arnulfo augusto aurelio
bartolome baltazar bernardo blas candido cayetano cirilo ciro clemente cornelio crisanto damian delfino
demetrio desiderio dionisio edgar edmundo efrain eleazar eliseo elmer emiliano eusebio ezequiel fausto
fermin florencio francisco froilan gabino gaspar genaro gil gonzalo heriberto hilario horacio
humberto ildefonso inocencio isidro jacobo jeronimo joel jonathan jose josue juvenal lazaro leandro leonel
leopoldo lisandro luciano marcelino marcelo mariano marino martiniano melchor modesto narciso nestor
noe norberto odilon orlando pascual patricio porfirio prudencio raimundo reinaldo renato reynaldo rigoberto
romeo roman romulo rosendo rufino sabino salomon santos saturnino silvestre simon teodoro timoteo tobias
toribio ubaldo valentin venancio wilson yahir
john joseph mary michael peter paul james william elizabeth
`)

// surnames are common surnames (folded), used like givenNames: two of them
// that differ are different surnames (Díaz, Díez; Martín, Martínez).
var surnames = set(`
acosta aguilar aguirre alonso alvarado alvarez arias avila ayala barrios benitez blanco bravo cabrera calderon
campos cano cardenas carrasco carrillo castillo castro cervantes chavez contreras cortes cruz delgado diaz diez
dominguez espinoza estrada fernandez figueroa flores fuentes gallardo gallego gamez garcia garrido garza gil gomez
gonzalez guerrero gutierrez guzman hernandez herrera ibarra iglesias jimenez juarez lara leon lopez lozano luna
marin marquez martin martinez medina mejia mendez mendoza mora morales moreno moya munoz navarro nieto noriega
nunez ochoa ortega ortiz pacheco padilla paredes pena perez ramirez ramos reyes rios rivera robles rodriguez rojas
romero rosales rosas rubio ruiz salazar salinas sanchez sandoval santana santiago santos serrano silva sosa
soto suarez torres valdez valencia vargas vazquez vega velasco vera villa zamora
abad abarca acevedo adame aguado alarcon alcala alcantara alfaro almaraz almeida altamirano amador andrade
angulo aparicio aragon aranda arce arellano arenas arroyo arteaga avalos baez balderas ballesteros banda
barajas barba barrera barron bautista becerra beltran bermudez bernal bonilla borrego bustamante bustos
caballero cabello cadena camacho camarena canales cantu carbajal carmona carranza casas castaneda castellanos
cazares ceballos cedillo cervera cisneros colin collado conde cordero cordova corona correa cortez cuellar
cuevas davila delacruz duarte duran echeverria escobar escobedo esparza espinosa esquivel estevez fajardo
farias felix ferrer fierro franco frias fuentes galindo gallegos galvan gamboa gaona garces gaytan godinez
granados guerra guevara heredia hidalgo hinojosa huerta hurtado ibanez iniguez jaramillo lazaro leal ledesma
lemus limon linares lira llamas loera lucero lugo macias madrid maldonado manzano marquez mata mateos meza
miranda molina montano montero montes montoya moreira munguia murillo najera narvaez nava negrete nevarez
nolasco olivares olmos orozco osorio otero ozuna palacios palomino pardo parra pastor paz peralta pineda
pizarro ponce portillo pozo prado prieto puente quezada quintana quintero quiroz rangel real rendon renteria
rey reyna rincon robledo rocha roldan rosado rueda saavedra saenz salas salcedo salgado saldana samaniego
santillan santoyo segovia sepulveda serna sierra solano solis solorzano sotelo tamayo tapia tellez tello
toledo tovar trejo trevino trujillo urbina uribe valadez valdes valdivia valle varela vela velazquez
velez venegas verdugo vidal villalobos villanueva villarreal villegas yanez zambrano zapata zaragoza zepeda
`)

// nicknames maps common Spanish hypocorisms, and English forms of Spanish
// names, to the names they stand for. Only these are recognized: another
// nickname counts as a different name.
var nicknames = map[string][]string{
	"pepe": {"jose"}, "chepe": {"jose"}, "pepito": {"jose"}, "joseph": {"jose"},
	"paco": {"francisco"}, "pancho": {"francisco"}, "frank": {"francisco"}, "curro": {"francisco"},
	"lupe": {"guadalupe"}, "lupita": {"guadalupe"},
	"chucho": {"jesus"}, "chuy": {"jesus"},
	"nacho": {"ignacio"}, "lalo": {"eduardo"}, "memo": {"guillermo"}, "william": {"guillermo"},
	"beto": {"alberto", "roberto", "humberto"}, "tono": {"antonio"}, "tony": {"antonio"},
	"quique": {"enrique"}, "kike": {"enrique"}, "moncho": {"ramon"},
	"concha": {"concepcion"}, "conchita": {"concepcion"}, "chelo": {"consuelo"},
	"charo": {"rosario"}, "lola": {"dolores"}, "pili": {"pilar"}, "nando": {"fernando"},
	"manolo": {"manuel"}, "rafa": {"rafael"}, "tere": {"teresa"}, "lucho": {"luis"},
	"chema": {"jose"}, "juanjo": {"juan"}, "mari": {"maria"}, "mary": {"maria"},
	"john": {"juan"}, "michael": {"miguel"}, "peter": {"pedro"}, "paul": {"pablo"},
	"james": {"jaime", "diego"}, "elizabeth": {"isabel"}, "chabela": {"isabel"},
	"toni": {"antonio"}, "santi": {"santiago"}, "alex": {"alejandro", "alejandra"},
	"fito": {"rodolfo", "adolfo"}, "goyo": {"gregorio"}, "chayo": {"rosario"},
	"ma": {"maria"}, "fco": {"francisco"}, "jse": {"jose"},
}

// canonical returns the names a given name may stand for, itself first.
func canonical(text string) []string {
	if c, ok := nicknames[text]; ok {
		return append([]string{text}, c...)
	}
	return []string{text}
}

// nickOf reports whether a and b are a name and its nickname, or two
// nicknames of one name, and which name.
func nickOf(a, b string) (string, bool) {
	na, nb := nicknames[a], nicknames[b]
	if na == nil && nb == nil {
		return "", false
	}
	for _, x := range append([]string{a}, na...) {
		if x == b {
			return x, true
		}
		for _, y := range nb {
			if x == y {
				return x, true
			}
		}
	}
	return "", false
}

func set(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// known reports whether w is a name of either list.
func known(w string) bool { return givenNames[w] || surnames[w] }
